package dev.avocado.tools;

import java.io.File;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.felix.framework.Felix;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;

/**
 * The baseline of the boot benchmark: bare Felix with the bundles given on the command line (SCR and
 * Gogo), embedded the plainest way. {@code java -cp ... BareFelix CACHE JAR...}
 */
public final class BareFelix {

    private BareFelix() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> props = new HashMap<>();
        props.put(Constants.FRAMEWORK_STORAGE, args[0]);
        props.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        Framework fw = new Felix(props);
        fw.init();
        List<Bundle> bundles = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            bundles.add(fw.getBundleContext().installBundle("reference:" + new File(args[i]).toURI()));
        }
        fw.start();
        for (Bundle b : bundles) {
            b.start();
        }
        fw.waitForStop(0);
        System.exit(0);
    }
}
