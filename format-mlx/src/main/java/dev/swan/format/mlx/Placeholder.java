package dev.swan.format.mlx;
final class Placeholder {}
