package io.jqcow.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jqcow.qcow2.check.CheckResult;
import java.util.Locale;

/** qemu-img check's two report formats: the human text and the ImageCheck JSON object. */
final class CheckReportFormat {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private CheckReportFormat() {
    }

    /** The human report, line for line as qemu-img 7.2 prints it. */
    static String human(CheckResult r) {
        StringBuilder sb = new StringBuilder();
        if (r.corruptions() == 0 && r.leaks() == 0 && r.checkErrors() == 0) {
            sb.append("No errors were found on the image.\n");
        } else {
            if (r.corruptions() > 0) {
                sb.append('\n').append(r.corruptions()).append(" errors were found on the image.\n")
                        .append("Data may be corrupted, or further writes to the image may corrupt it.\n");
            }
            if (r.leaks() > 0) {
                sb.append('\n').append(r.leaks()).append(" leaked clusters were found on the image.\n")
                        .append("This means waste of disk space, but no harm to data.\n");
            }
            if (r.checkErrors() > 0) {
                sb.append('\n').append(r.checkErrors()).append(" internal errors have occurred during the check.\n");
            }
        }
        if (r.totalClusters() != 0 && r.allocatedClusters() != 0) {
            double alloc = r.allocatedClusters();
            sb.append(String.format(Locale.ROOT, "%d/%d = %.2f%% allocated, %.2f%% fragmented, %.2f%% compressed clusters\n",
                    r.allocatedClusters(), r.totalClusters(), alloc * 100.0 / r.totalClusters(),
                    r.fragmentedClusters() * 100.0 / alloc, r.compressedClusters() * 100.0 / alloc));
        }
        if (r.imageEndOffset() != 0) {
            sb.append("Image end offset: ").append(r.imageEndOffset()).append('\n');
        }
        return sb.toString();
    }

    /** What qemu-img prints between a repair pass and its verification pass. */
    static String repairSummary(CheckResult repair) {
        return "The following inconsistencies were found and repaired:\n\n"
                + "    " + repair.leaksFixed() + " leaked clusters\n"
                + "    " + repair.corruptionsFixed() + " corruptions\n\n"
                + "Double checking the fixed image now...\n";
    }

    /**
     * The JSON object: zero counters left out except check-errors, keys in the order qemu-img emits
     * them (its dictionary's hash order), pretty-printed with four spaces.
     */
    static String json(CheckResult r, String filename, String format) {
        ObjectNode o = MAPPER.createObjectNode();
        putNonZero(o, "image-end-offset", r.imageEndOffset());
        putNonZero(o, "compressed-clusters", r.compressedClusters());
        putNonZero(o, "total-clusters", r.totalClusters());
        putNonZero(o, "corruptions", r.corruptions());
        putNonZero(o, "corruptions-fixed", r.corruptionsFixed());
        o.put("check-errors", r.checkErrors());
        putNonZero(o, "leaks", r.leaks());
        putNonZero(o, "leaks-fixed", r.leaksFixed());
        putNonZero(o, "allocated-clusters", r.allocatedClusters());
        o.put("filename", filename);
        o.put("format", format);
        putNonZero(o, "fragmented-clusters", r.fragmentedClusters());
        DefaultPrettyPrinter pp = new DefaultPrettyPrinter()
                .withObjectIndenter(new DefaultIndenter("    ", "\n"))
                .withSeparators(Separators.createDefaultInstance()
                        .withObjectFieldValueSpacing(Separators.Spacing.AFTER));
        try {
            return MAPPER.writer(pp).writeValueAsString(o) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void putNonZero(ObjectNode o, String key, long v) {
        if (v != 0) {
            o.put(key, v);
        }
    }
}
