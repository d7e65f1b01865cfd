package dev.avocado.itest.p2probe;

import java.util.Hashtable;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * The partition two bundle of the tests: registers a marker service whose "avocado.probe.build"
 * property is its jar's Probe-Build header, so a test sees which build of the bundle runs. Tests find
 * it with getAllServiceReferences: their own copy of this class is not the bundle's.
 */
public class P2Probe implements BundleActivator {

    public static final String BUILD = "avocado.probe.build";

    @Override
    public void start(BundleContext context) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(BUILD, context.getBundle().getHeaders().get("Probe-Build"));
        context.registerService(P2Probe.class.getName(), this, props);
    }

    /** The build of the running probe, or null when none runs. */
    public static String runningBuild(BundleContext context) {
        try {
            org.osgi.framework.ServiceReference<?>[] refs = context.getAllServiceReferences(P2Probe.class.getName(), null);
            return refs == null ? null : String.valueOf(refs[0].getProperty(BUILD));
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop(BundleContext context) {
        // the framework unregisters the service
    }
}
