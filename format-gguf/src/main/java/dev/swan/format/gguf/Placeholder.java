package dev.swan.format.gguf;
final class Placeholder {}
