package dev.avocado.tools;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * A service's configuration file ({@code --config FILE}): each {@code name = value} line becomes the
 * option {@code --name value} of the command, unless the command line gives that option itself. A name
 * that is no option of the command is an error that names the file and the name (a typo must not fall
 * back to a default in silence).
 */
final class ConfigFile {

    private ConfigFile() {
    }

    /** The arguments with the file's options added; unchanged when there is no --config. */
    static String[] expand(CommandLine root, String[] args) throws IOException {
        List<String> argv = new ArrayList<>(List.of(args));
        int at = argv.indexOf("--config");
        if (at < 0 || at + 1 >= argv.size()) {
            return args;
        }
        Path file = Path.of(argv.get(at + 1));
        CommandLine cmd = root;
        StringBuilder name = new StringBuilder("avocado");
        for (String a : argv) {
            CommandLine sub = cmd.getSubcommands().get(a);
            if (sub == null) {
                break;
            }
            cmd = sub;
            name.append(' ').append(a);
        }
        CommandSpec spec = cmd.getCommandSpec();
        Properties p = new Properties();
        try {
            p.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
        } catch (java.nio.file.AccessDeniedException e) {
            throw new IOException("--config " + file + ": cannot read it: permission denied (for a service: the file's "
                    + "group is the service's, mode 640, and its folders can be entered)", e);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException("--config " + file + ": no such file", e);
        } catch (IOException e) {
            throw new IOException("--config " + file + ": cannot read it: " + e.getMessage(), e);
        }
        for (String key : new TreeSet<>(p.stringPropertyNames())) {
            OptionSpec o = spec.findOption("--" + key);
            if (o == null || key.equals("config")) {
                throw new IOException("--config " + file + ": '" + key + "' is no option of '" + name + "' (see " + name
                        + " --help)");
            }
            if (o.names().length > 0 && List.of(o.names()).stream().anyMatch(argv::contains)) {
                continue; // the command line wins
            }
            String value = p.getProperty(key).strip();
            if (o.arity().max() == 0) {
                if (value.equalsIgnoreCase("true")) {
                    argv.add("--" + key);
                } else if (!value.equalsIgnoreCase("false")) {
                    throw new IOException("--config " + file + ": " + key + " is a flag: true or false, not '" + value + "'");
                }
            } else if (o.isMultiValue()) {
                for (String v : value.split("\\s*,\\s*")) {
                    if (!v.isEmpty()) {
                        argv.add("--" + key);
                        argv.add(v);
                    }
                }
            } else {
                argv.add("--" + key);
                argv.add(value);
            }
        }
        return argv.toArray(String[]::new);
    }
}
