package dev.swan.api;

/** Receives progress of long work; the launcher draws it on a terminal and stays quiet otherwise. */
@FunctionalInterface
public interface ProgressSink {

    /**
     * @param done  units finished so far
     * @param total units in all (0 when unknown)
     * @param item  what is being worked on now (e.g. a tensor name)
     */
    void update(long done, long total, String item);

    ProgressSink NONE = (done, total, item) -> { };
}
