package dev.avocado.tools;

import java.util.concurrent.CountDownLatch;

/** A service that runs until the process is stopped (Ctrl-C, SIGTERM), then closes. */
final class Serving {

    private Serving() {
    }

    static int untilStopped(AutoCloseable service) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                service.close();
            } catch (Exception e) {
                System.err.println("stop: " + e.getMessage());
            }
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }
}
