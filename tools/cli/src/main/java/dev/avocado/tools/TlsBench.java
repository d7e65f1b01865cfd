package dev.avocado.tools;

import java.util.concurrent.Callable;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The servers' TLS stacks side by side ({@link ServerTlsBenchmark}), through JMH. */
@Command(name = "tls", mixinStandardHelpOptions = true,
        description = "JMH: a TLS 1.3 handshake with the device's BCJSSE client, the server on Conscrypt, BCJSSE and SunJSSE.")
final class TlsBench implements Callable<Integer> {

    @Option(names = "--jvm", paramLabel = "JAVA", description = "The java of the measured JVM (another JDK's, say). "
            + "Default: this one.")
    String jvm;

    @Option(names = "--iterations", defaultValue = "5", description = "Measured iterations of 2 s. Default: ${DEFAULT-VALUE}.")
    int iterations;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write JMH's JSON results here.")
    String json;

    @Override
    public Integer call() throws Exception {
        ChainedOptionsBuilder o = new OptionsBuilder().include(ServerTlsBenchmark.class.getName())
                .forks(1).warmupIterations(3).warmupTime(TimeValue.seconds(2))
                .measurementIterations(iterations).measurementTime(TimeValue.seconds(2)).threads(1)
                .jvmArgsAppend("-Xmx1g");
        if (jvm != null) {
            o.jvm(jvm);
        }
        if (json != null) {
            o.result(json).resultFormat(ResultFormatType.JSON);
        }
        new Runner(o.build()).run();
        return 0;
    }
}
