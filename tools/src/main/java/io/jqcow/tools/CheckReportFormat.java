package io.jqcow.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jqcow.qcow2.check.CheckResult;
import java.math.BigDecimal;
import java.math.RoundingMode;

/** qemu-img check's two report formats: the human text and the ImageCheck JSON object. */
final class CheckReportFormat {
    /**
     * Built on first JSON use only: an ObjectMapper's set-up (with its date formats and CLDR locale
     * data) cost a human-output check about 150 ms of start-up before it was made lazy.
     */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

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
            sb.append(r.allocatedClusters()).append('/').append(r.totalClusters()).append(" = ")
                    .append(percent(alloc * 100.0 / r.totalClusters())).append("% allocated, ")
                    .append(percent(r.fragmentedClusters() * 100.0 / alloc)).append("% fragmented, ")
                    .append(percent(r.compressedClusters() * 100.0 / alloc)).append("% compressed clusters\n");
        }
        if (r.imageEndOffset() != 0) {
            sb.append("Image end offset: ").append(r.imageEndOffset()).append('\n');
        }
        return sb.toString();
    }

    /**
     * printf's "%.2f": the exact binary value rounded half-to-even (3.125 prints as 3.12), which
     * String.format's half-up rounding does not reproduce.
     */
    static String percent(double v) {
        return new BigDecimal(v).setScale(2, RoundingMode.HALF_EVEN).toPlainString();
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
        ObjectNode o = Json.MAPPER.createObjectNode();
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
            return Json.MAPPER.writer(pp).writeValueAsString(o) + "\n";
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
