package dev.avocado.logfile.internal;

import dev.avocado.api.lifecycle.Partitions;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;
import org.osgi.service.metatype.annotations.Designate;

/** Appends every log entry to a file on the data partition, rotating it by size. */
@Component(immediate = true, configurationPid = LogFileWriter.PID)
@Designate(ocd = LogFileConfig.class)
public class LogFileWriter implements LogListener {

    public static final String PID = "dev.avocado.logfile";
    private static final int KEEP = 3;

    @Reference
    private LogReaderService reader;

    private Path file;
    private LogLevel fileLevel;
    private LogLevel consoleLevel;
    private long rotateBytes;
    private Writer out;
    private long written;
    private long lastSequence = -1;
    private final PrintStream console = System.err;

    @Activate
    void activate(BundleContext context, LogFileConfig config) throws IOException {
        file = Partitions.folder(context, config.file(), Partitions.DATA, "logs/avocado.log");
        fileLevel = LogLevel.valueOf(config.fileLevel().trim().toUpperCase(Locale.ROOT));
        consoleLevel = LogLevel.valueOf(config.consoleLevel().trim().toUpperCase(Locale.ROOT));
        rotateBytes = config.rotateBytes();
        open();
        reader.addLogListener(this);
        // entries logged before this bundle started, oldest first
        List<LogEntry> backlog = new ArrayList<>();
        Enumeration<LogEntry> e = reader.getLog();
        while (e.hasMoreElements()) {
            backlog.add(e.nextElement());
        }
        Collections.reverse(backlog);
        backlog.forEach(this::logged);
    }

    @Deactivate
    synchronized void deactivate() throws IOException {
        reader.removeLogListener(this);
        if (out != null) {
            out.close();
            out = null;
        }
    }

    @Override
    public synchronized void logged(LogEntry entry) {
        if (entry.getSequence() <= lastSequence) {
            return;
        }
        lastSequence = entry.getSequence();
        String line = format(entry);
        if (consoleLevel.implies(entry.getLogLevel())) {
            console.println(line);
        }
        if (out == null || !fileLevel.implies(entry.getLogLevel())) {
            return;
        }
        try {
            out.write(line);
            out.write('\n');
            out.flush();
            written += line.length() + 1;
            if (written > rotateBytes) {
                rotate();
            }
        } catch (IOException ex) {
            console.println("avocado log file " + file + ": " + ex.getMessage() + "; logging to the console only");
            out = null;
        }
    }

    static String format(LogEntry e) {
        StringBuilder b = new StringBuilder(160).append(Instant.ofEpochMilli(e.getTime())).append(' ')
                .append(String.format("%-5s", e.getLogLevel())).append(" [")
                .append(e.getBundle() == null ? "?" : e.getBundle().getSymbolicName()).append("] ")
                .append(e.getMessage());
        if (e.getException() != null) {
            b.append(" (").append(e.getException()).append(')');
        }
        return b.toString();
    }

    private void open() throws IOException {
        Files.createDirectories(file.getParent());
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        written = Files.size(file);
    }

    private void rotate() throws IOException {
        out.close();
        for (int i = KEEP - 1; i >= 1; i--) {
            Path from = file.resolveSibling(file.getFileName() + "." + i);
            if (Files.exists(from)) {
                Files.move(from, file.resolveSibling(file.getFileName() + "." + (i + 1)), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.move(file, file.resolveSibling(file.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
        open();
    }
}
