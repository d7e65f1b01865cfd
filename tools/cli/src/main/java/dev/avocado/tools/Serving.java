package dev.avocado.tools;

import java.util.concurrent.CountDownLatch;

/** A service that runs until the process is stopped (Ctrl-C, SIGTERM), then closes. */
final class Serving {

    private Serving() {
    }

    /** Closes each (nulls skipped) in turn at the end. */
    static int untilStopped(AutoCloseable... services) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (AutoCloseable service : services) {
                try {
                    if (service != null) {
                        service.close();
                    }
                } catch (Exception e) {
                    System.err.println("stop: " + e.getMessage());
                }
            }
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }
}
