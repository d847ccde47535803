package dev.swan.launcher.pipeline;

import dev.swan.api.ProgressSink;

/**
 * Where long work reports its progress, phase by phase, each named for what it does: {@value #ANALYZE}
 * (the metrics), {@value #SELF_CALIBRATE_TEXT} (the model writes its own text), {@value #SELF_CALIBRATE_FISHER}
 * (the Fisher pass measures every tensor's sensitivity on it), {@value #WRITE}.
 */
public interface Phases {
    String ANALYZE = "analyze";
    String SELF_CALIBRATE_TEXT = "self-calibrate: text";
    String SELF_CALIBRATE_FISHER = "self-calibrate: Fisher pass";
    String WRITE = "write";

    /** No progress shown. */
    Phases NONE = new Phases() {
        @Override
        public ProgressSink start(String phase) {
            return ProgressSink.NONE;
        }

        @Override
        public void end(String phase) {
        }
    };

    ProgressSink start(String phase);

    void end(String phase);
}
