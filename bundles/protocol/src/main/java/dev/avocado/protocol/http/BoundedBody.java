package dev.avocado.protocol.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * An answer body of at most {@code max} bytes, whole by a deadline: a longer one (declared or sent)
 * ends the exchange with an error that says so, before it can fill the heap, and a peer that sends
 * its body slowly or not at all is cut off at the deadline with an {@link HttpTimeoutException}.
 */
final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {

    /** One daemon thread for every deadline of the JVM, only while one is set; a deadline met is taken off at once. */
    private static final ScheduledExecutorService DEADLINES = deadlines();

    private final int max;
    private final long declared;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private Flow.Subscription subscription;

    private BoundedBody(int max, long declared, long deadline, String late) {
        this.max = max;
        this.declared = declared;
        ScheduledFuture<?> cut = DEADLINES.schedule(() -> {
            if (result.completeExceptionally(new HttpTimeoutException(late))) {
                cancel();
            }
        }, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        result.whenComplete((body, error) -> cut.cancel(false));
    }

    /**
     * @param deadline {@link System#nanoTime()} by which the whole body must have come
     * @param late the message of the error when it has not
     */
    static HttpResponse.BodyHandler<byte[]> handler(int max, long deadline, String late) {
        return info -> new BoundedBody(max, info.headers().firstValueAsLong("Content-Length").orElse(-1), deadline, late);
    }

    private static ScheduledExecutorService deadlines() {
        ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "https-client-deadlines");
            t.setDaemon(true);
            return t;
        });
        s.setRemoveOnCancelPolicy(true);
        // no thread while no answer is awaited: a bundle refreshed in a running framework leaves none behind
        // holding its class loader (the last thread stays while a deadline is queued)
        s.setKeepAliveTime(5, TimeUnit.SECONDS);
        s.allowCoreThreadTimeOut(true);
        return s;
    }

    private synchronized void cancel() {
        if (subscription != null) {
            subscription.cancel();
        }
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        synchronized (this) {
            subscription = s;
        }
        if (result.isDone()) {
            s.cancel();
            return;
        }
        if (declared > max) {
            s.cancel();
            result.completeExceptionally(new IOException("the answer declares " + declared + " bytes, more than the "
                    + max + " taken"));
            return;
        }
        s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        if (result.isDone()) {
            return;
        }
        for (ByteBuffer b : items) {
            if (out.size() + (long) b.remaining() > max) {
                subscription.cancel();
                result.completeExceptionally(new IOException("the answer is longer than the " + max + " bytes taken"));
                return;
            }
            byte[] chunk = new byte[b.remaining()];
            b.get(chunk);
            out.writeBytes(chunk);
        }
    }

    @Override
    public void onError(Throwable t) {
        result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
        result.complete(out.toByteArray());
    }

    @Override
    public CompletionStage<byte[]> getBody() {
        return result;
    }
}
