package dev.swan.api.numeric;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/**
 * The thread budget handed to plugins. {@link #forEach} runs independent tasks {@code 0..n-1}, possibly
 * at the same time. For results that do not depend on the number of threads, split work into tasks
 * by a rule that ignores {@link #threads()} and let each task write its own outputs.
 */
public interface Parallel {

    int threads();

    /** Runs {@code task.accept(i)} for every i in [0, n), returning when all are done. */
    void forEach(int n, IntConsumer task);

    /** Everything on the calling thread. */
    static Parallel sequential() {
        return new Parallel() {
            @Override
            public int threads() {
                return 1;
            }

            @Override
            public void forEach(int n, IntConsumer task) {
                for (int i = 0; i < n; i++) task.accept(i);
            }
        };
    }

    /** Tasks run in {@code pool}; nested calls from inside the pool join its work instead of blocking. */
    static Parallel of(ForkJoinPool pool) {
        return new Parallel() {
            @Override
            public int threads() {
                return pool.getParallelism();
            }

            @Override
            public void forEach(int n, IntConsumer task) {
                if (n <= 0) return;
                if (n == 1 || pool.getParallelism() == 1) {
                    for (int i = 0; i < n; i++) task.accept(i);
                    return;
                }
                List<RecursiveAction> actions = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    int idx = i;
                    actions.add(new RecursiveAction() {
                        private static final long serialVersionUID = 1L;

                        @Override
                        protected void compute() {
                            task.accept(idx);
                        }
                    });
                }
                if (ForkJoinTask.inForkJoinPool() && ForkJoinTask.getPool() == pool) {
                    ForkJoinTask.invokeAll(actions);
                } else {
                    pool.invoke(new RecursiveAction() {
                        private static final long serialVersionUID = 1L;

                        @Override
                        protected void compute() {
                            invokeAll(actions);
                        }
                    });
                }
            }
        };
    }
}
