package dev.avocado.itest;

import dev.avocado.api.lifecycle.DeviceLifecycle;
import dev.avocado.api.lifecycle.DeviceState;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Dictionary;
import java.util.Hashtable;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/** What the tests do with the device inside the framework: read its state, configure it, run shell commands. */
public final class Device {

    private final BundleContext context;

    public Device(BundleContext context) {
        this.context = context;
    }

    public <T> T service(Class<T> type) {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            ServiceReference<T> ref = context.getServiceReference(type);
            if (ref != null) {
                T s = context.getService(ref);
                if (s != null) {
                    return s;
                }
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        throw new AssertionError("no " + type.getName() + " service within 10 s");
    }

    public DeviceLifecycle lifecycle() {
        return service(DeviceLifecycle.class);
    }

    public String describe() {
        ServiceReference<DeviceLifecycle> ref = context.getServiceReference(DeviceLifecycle.class);
        if (ref == null) {
            return "no DeviceLifecycle service";
        }
        DeviceLifecycle l = context.getService(ref);
        return l.state().label() + " (settled " + l.settled() + "): " + l.reason() + "; history " + l.history();
    }

    /** Waits until the device is settled in {@code state}. */
    public DeviceLifecycle awaitSettled(DeviceState state, long millis) {
        Await.until("state " + state.label(), millis, () -> {
            ServiceReference<DeviceLifecycle> ref = context.getServiceReference(DeviceLifecycle.class);
            if (ref == null) {
                return false;
            }
            DeviceLifecycle l = context.getService(ref);
            return l.state() == state && l.settled();
        }, this::describe);
        return lifecycle();
    }

    public void configure(String pid, Object... keyValues) throws Exception {
        Configuration c = service(ConfigurationAdmin.class).getConfiguration(pid, "?");
        Dictionary<String, Object> props = new Hashtable<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put((String) keyValues[i], keyValues[i + 1]);
        }
        c.update(props);
    }

    /** Deletes a configuration: its component goes back to its defaults. */
    public void unconfigure(String pid) throws Exception {
        service(ConfigurationAdmin.class).getConfiguration(pid, "?").delete();
    }

    /** Runs a Gogo command and returns what it printed and returned. */
    public String shell(String command) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        try (CommandSession session = service(CommandProcessor.class).createSession(InputStream.nullInputStream(), ps, ps)) {
            Object result = session.execute(command);
            if (result != null) {
                ps.print(session.format(result, 0));
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
