package dev.swan.metric.svd;
final class Placeholder {}
