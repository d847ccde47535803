package dev.swan.metric.recon;
final class Placeholder {}
