package io.jqcow.qcow2.check;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Test utility: runs qemu-img check --output=json and keeps exit code, counters and stderr lines. */
record QemuCheckRun(int exit, Map<String, Long> counters, List<String> stderr) {
    private static final Pattern NUMBER = Pattern.compile("\"([a-z-]+)\": (\\d+)");

    static QemuCheckRun run(Path image, String... repair) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("qemu-img", "check", "--output=json"));
        cmd.addAll(List.of(repair));
        cmd.add(image.toString());
        Path err = Files.createTempFile(image.getParent(), "stderr", ".txt");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = p.waitFor();
        // qemu-img ends its stale-bitmaps hint without a newline; keep only what follows it.
        String hint = "Some clusters may be leaked, run 'qemu-img check -r' on the image file to fix.";
        List<String> errLines = Files.readAllLines(err).stream().map(l -> l.startsWith(hint) ? l.substring(hint.length()) : l)
                .filter(l -> !l.isEmpty()).map(l -> l.replace("qemu-img check", "jqcow check")).toList();
        Files.delete(err);
        Map<String, Long> m = new LinkedHashMap<>();
        Matcher mt = NUMBER.matcher(out);
        while (mt.find()) {
            m.put(mt.group(1), Long.parseLong(mt.group(2)));
        }
        return new QemuCheckRun(exit, m, errLines);
    }

    /**
     * The lines the engine is responsible for: qemu-img's stderr without what its command layer adds
     * (the final "Check failed" and the open-time bitmap warning).
     */
    List<String> engineLines() {
        return stderr.stream().filter(l -> !l.startsWith("qemu-img: Check failed")
                && !l.startsWith("qemu-img: warning: a program lacking bitmap support")).toList();
    }

    /** A log that records the engine's lines as qemu-img prints them (errors of the layer below prefixed). */
    static CheckLog recorder(List<String> out) {
        return new CheckLog() {
            @Override
            public void line(String text) {
                out.add(text);
            }

            @Override
            public void error(String message) {
                out.add("qemu-img: " + message);
            }
        };
    }

    /** Our result in qemu-img's JSON terms: zero counters left out except check-errors. */
    static Map<String, Long> countersOf(CheckResult r) {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("check-errors", r.checkErrors());
        putNonZero(m, "image-end-offset", r.imageEndOffset());
        putNonZero(m, "corruptions", r.corruptions());
        putNonZero(m, "leaks", r.leaks());
        putNonZero(m, "corruptions-fixed", r.corruptionsFixed());
        putNonZero(m, "leaks-fixed", r.leaksFixed());
        putNonZero(m, "total-clusters", r.totalClusters());
        putNonZero(m, "allocated-clusters", r.allocatedClusters());
        putNonZero(m, "fragmented-clusters", r.fragmentedClusters());
        putNonZero(m, "compressed-clusters", r.compressedClusters());
        return m;
    }

    private static void putNonZero(Map<String, Long> m, String k, long v) {
        if (v != 0) {
            m.put(k, v);
        }
    }
}
