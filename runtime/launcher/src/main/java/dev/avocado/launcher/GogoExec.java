package dev.avocado.launcher;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * Runs Gogo commands for {@code --exec}. The launcher shares no classes with the Gogo runtime bundle,
 * so it calls the CommandProcessor service through the interfaces the bundle itself loaded.
 */
final class GogoExec {

    private static final String PROCESSOR = "org.apache.felix.service.command.CommandProcessor";
    private static final String SESSION = "org.apache.felix.service.command.CommandSession";

    private GogoExec() {
    }

    /** @return 0 when every command ran, 4 at the first one that failed */
    static int run(BundleContext context, String script, PrintStream out, PrintStream err) throws Exception {
        ServiceReference<?> ref = null;
        for (int i = 0; i < 100 && (ref = context.getServiceReference(PROCESSOR)) == null; i++) {
            Thread.sleep(50);
        }
        if (ref == null) {
            err.println("avocado: --exec: the Gogo runtime is not running");
            return 4;
        }
        Object processor = context.getService(ref);
        try {
            ClassLoader gogo = processor.getClass().getClassLoader();
            Class<?> processorType = gogo.loadClass(PROCESSOR);
            Class<?> sessionType = gogo.loadClass(SESSION);
            Object session = processorType.getMethod("createSession", InputStream.class, OutputStream.class,
                    OutputStream.class).invoke(processor, InputStream.nullInputStream(), out, err);
            Method execute = sessionType.getMethod("execute", CharSequence.class);
            Method format = sessionType.getMethod("format", Object.class, int.class);
            try {
                for (String command : split(script)) {
                    out.println("g! " + command);
                    Object result;
                    try {
                        result = executeWhenRegistered(session, execute, command);
                    } catch (InvocationTargetException e) {
                        Throwable cause = e.getCause();
                        err.println("avocado: --exec: '" + command + "' failed: "
                                + (cause.getMessage() != null ? cause.getMessage() : cause.toString()));
                        return 4;
                    }
                    if (result != null) {
                        String text = String.valueOf(format.invoke(session, result, 0));
                        out.print(text.endsWith("\n") ? text : text + "\n");
                    }
                    out.flush();
                }
            } finally {
                sessionType.getMethod("close").invoke(session);
            }
            return 0;
        } finally {
            context.ungetService(ref);
        }
    }

    /** Commands are DS services: give one that is not registered yet a few seconds to appear. */
    private static Object executeWhenRegistered(Object session, Method execute, String command) throws Exception {
        long deadline = System.currentTimeMillis() + 5000;
        while (true) {
            try {
                return execute.invoke(session, command);
            } catch (InvocationTargetException e) {
                boolean notFound = e.getCause().getClass().getSimpleName().equals("CommandNotFoundException");
                if (!notFound || System.currentTimeMillis() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    /** Splits "a; b" into commands at semicolons and newlines outside quotes. */
    static List<String> split(String script) {
        List<String> commands = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        char quote = 0;
        for (char c : script.toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
                current.append(c);
            } else if (c == '"' || c == '\'') {
                quote = c;
                current.append(c);
            } else if (c == ';' || c == '\n') {
                add(commands, current);
            } else {
                current.append(c);
            }
        }
        add(commands, current);
        return commands;
    }

    private static void add(List<String> commands, StringBuilder current) {
        String c = current.toString().strip();
        if (!c.isEmpty()) {
            commands.add(c);
        }
        current.setLength(0);
    }
}
