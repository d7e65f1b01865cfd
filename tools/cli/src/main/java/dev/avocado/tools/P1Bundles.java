package dev.avocado.tools;

import aQute.bnd.header.Attrs;
import aQute.bnd.header.Parameters;
import aQute.bnd.osgi.Processor;
import aQute.bnd.version.Version;
import aQute.bnd.version.VersionRange;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Partition one's bundles as p1.bndrun's resolved {@code -runbundles} name them, in their start
 * levels' order: the one list, read with bnd's own parser. The image build writes it as the device's
 * {@code p1/bundles.list}; the pax-exam tests install the same bundles.
 */
public final class P1Bundles {

    /** The bndrun's name in partition one. */
    public static final String BNDRUN = "p1.bndrun";

    private P1Bundles() {
    }

    /** One run bundle: where its jar is, and its start level (0 when the bndrun gives none). */
    public record Entry(String symbolicName, Path jar, int startLevel) {
    }

    /**
     * The jars of {@code p1}'s bundles folder that {@code p1/p1.bndrun}'s -runbundles name, in start
     * order (start level, then the order of the list).
     *
     * @throws IOException naming the bundle and what is wrong when the list and the jars disagree
     */
    public static List<Entry> of(Path p1) throws IOException {
        Path bndrun = p1.resolve(BNDRUN);
        if (!Files.isRegularFile(bndrun)) {
            throw new IOException(p1 + " has no " + BNDRUN + ": build the partitions module first (mvn install)");
        }
        Map<String, List<Candidate>> jars = jars(p1.resolve("bundles"));
        List<Entry> entries = new ArrayList<>();
        try (Processor run = new Processor()) {
            run.setProperties(bndrun.toFile());
            Parameters runbundles = new Parameters(run.getProperty("-runbundles"), run);
            if (runbundles.isEmpty()) {
                throw new IOException(bndrun + " lists no -runbundles: the partitions build resolves them");
            }
            for (Map.Entry<String, Attrs> e : runbundles.entrySet()) {
                String bsn = Processor.removeDuplicateMarker(e.getKey());
                String range = e.getValue().getVersion();
                VersionRange wanted = range == null ? null : VersionRange.parseOSGiVersionRange(range);
                Candidate found = jars.getOrDefault(bsn, List.of()).stream()
                        .filter(c -> wanted == null || wanted.includes(c.version())).findFirst()
                        .orElseThrow(() -> new IOException(bndrun + " lists " + bsn + (range == null ? "" : " " + range)
                                + ", which is not in " + p1.resolve("bundles")));
                String level = e.getValue().get("startlevel");
                entries.add(new Entry(bsn, found.jar(), level == null ? 0 : Integer.parseInt(level.trim())));
            }
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(bndrun + " cannot be read: " + e.getMessage(), e);
        }
        entries.sort(Comparator.comparingInt(Entry::startLevel)); // stable: the list's order within a level
        return entries;
    }

    /** The lines of the device's {@code p1/bundles.list}: paths relative to p1, in start order. */
    public static List<String> bundlesList(Path p1) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("# written by the image build from " + BNDRUN + " (-runbundles, in start-level order); do not edit");
        for (Entry e : of(p1)) {
            lines.add(p1.relativize(e.jar()).toString());
        }
        return lines;
    }

    private record Candidate(Path jar, Version version) {
    }

    private static Map<String, List<Candidate>> jars(Path folder) throws IOException {
        Map<String, List<Candidate>> byName = new HashMap<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path jar : files.filter(f -> f.toString().endsWith(".jar")).sorted().toList()) {
                try (JarFile j = new JarFile(jar.toFile())) {
                    Attributes a = j.getManifest() == null ? null : j.getManifest().getMainAttributes();
                    String bsn = a == null ? null : a.getValue("Bundle-SymbolicName");
                    if (bsn == null) {
                        continue; // not a bundle: the resolver never lists it
                    }
                    String version = a.getValue("Bundle-Version");
                    byName.computeIfAbsent(bsn.split(";")[0].trim(), k -> new ArrayList<>())
                            .add(new Candidate(jar, Version.parseVersion(version == null ? "0" : version.trim())));
                }
            }
        }
        return byName;
    }
}
