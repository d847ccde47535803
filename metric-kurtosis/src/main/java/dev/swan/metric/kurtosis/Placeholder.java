package dev.swan.metric.kurtosis;
final class Placeholder {}
