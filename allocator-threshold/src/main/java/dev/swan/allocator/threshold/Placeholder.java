package dev.swan.allocator.threshold;
final class Placeholder {}
