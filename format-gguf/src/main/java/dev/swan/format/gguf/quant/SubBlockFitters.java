package dev.swan.format.gguf.quant;

/** Which {@link SubBlockFitter} this JVM runs, decided once (like the product kernels of swan-toolkit). */
final class SubBlockFitters {
    static final boolean VECTOR = vectorUsable();

    private SubBlockFitters() {
    }

    private static boolean vectorUsable() {
        if ("scalar".equals(System.getProperty("swan.kernels"))) return false;
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) return false;
        try {
            // inside OSGi the bundle sees the module only when the framework exports it
            new VectorSubBlockFitter();
            return true;
        } catch (LinkageError e) {
            return false;
        }
    }

    /** {@code vector} or {@code scalar}, for benchmarks and reports. */
    static String implementation() {
        return VECTOR ? "vector" : "scalar";
    }
}
