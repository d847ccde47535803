package dev.swan.metric.noise;
final class Placeholder {}
