package dev.avocado.tools;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * What the JVM spent besides the work, between two points of a benchmark: JIT compilation, garbage
 * collection, and the process's CPU time (all threads: servers and load generator alike).
 */
record JvmCounters(long jitMillis, long gcMillis, long gcCount, long cpuNanos, long serverCpuNanos) {

    /** The name prefixes of the servers' threads (each HttpsServer's pool is named after its server). */
    private static final java.util.List<String> SERVER_THREADS = java.util.List.of("factory", "registrar", "masa");

    static JvmCounters now() {
        long gcMillis = 0;
        long gcCount = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcMillis += Math.max(0, gc.getCollectionTime());
            gcCount += Math.max(0, gc.getCollectionCount());
        }
        long jit = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
        long cpu = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
        return new JvmCounters(jit, gcMillis, gcCount, cpu, serverThreadsCpu());
    }

    /** CPU time of the live threads of the servers (a pool thread that ended meanwhile takes its time along). */
    private static long serverThreadsCpu() {
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (SERVER_THREADS.stream().anyMatch(p -> t.getName().startsWith(p + "-"))) {
                long c = threads.getThreadCpuTime(t.getId());
                sum += Math.max(0, c);
            }
        }
        return sum;
    }

    JvmCounters since(JvmCounters start) {
        return new JvmCounters(jitMillis - start.jitMillis, gcMillis - start.gcMillis, gcCount - start.gcCount,
                cpuNanos < 0 ? -1 : cpuNanos - start.cpuNanos, serverCpuNanos - start.serverCpuNanos);
    }

    /** Seconds of CPU of the servers' threads per unit of work. */
    double serverSecondsPer(long units) {
        return serverCpuNanos / 1e9 / units;
    }

    /** One line for a benchmark's report: the counted phase's JIT, GC and CPU time per unit of work. */
    String line(long units, String unit) {
        return String.format(Locale.ROOT, "JIT %d ms (compiler threads' elapsed), GC %d ms in %d pauses; CPU per %s: "
                + "%.3f ms, of which servers' threads %.3f ms", jitMillis, gcMillis, gcCount, unit, cpuNanos / 1e6 / units,
                serverCpuNanos / 1e6 / units);
    }
}
