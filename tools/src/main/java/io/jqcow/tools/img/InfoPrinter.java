package io.jqcow.tools.img;

import io.jqcow.image.BitmapInfo;
import io.jqcow.image.ImageInfo;
import io.jqcow.qcow2.Qcow2Info;
import io.jqcow.qcow2.SnapshotTable;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** qemu-img info's two output forms: the human listing and the ImageInfo JSON object. */
final class InfoPrinter {
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);

    private InfoPrinter() {
    }

    static Map<String, Object> json(ImageInfo i) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (!i.snapshots().isEmpty()) {
            List<Object> snaps = new ArrayList<>();
            for (SnapshotTable.Entry e : i.snapshots()) {
                snaps.add(snapshot(e));
            }
            m.put("snapshots", snaps);
        }
        if (i.backingFilename() != null && i.backingFormat() != null) {
            m.put("backing-filename-format", i.backingFormat());
        }
        m.put("virtual-size", i.virtualSize());
        m.put("filename", i.filename());
        if (i.clusterSize() > 0) {
            m.put("cluster-size", i.clusterSize());
        }
        m.put("format", i.format());
        if (i.actualSize() >= 0) {
            m.put("actual-size", i.actualSize());
        }
        if (i.qcow2() != null) {
            m.put("format-specific", formatSpecific(i));
        }
        if (i.backingFilename() != null) {
            m.put("full-backing-filename", i.fullBackingFilename());
            m.put("backing-filename", i.backingFilename());
        }
        m.put("dirty-flag", i.dirty());
        return m;
    }

    private static Map<String, Object> formatSpecific(ImageInfo i) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("type", "qcow2");
        f.put("data", qcow2(i.qcow2(), i.bitmaps()));
        return f;
    }

    private static Map<String, Object> qcow2(Qcow2Info q, List<BitmapInfo> bitmaps) {
        Map<String, Object> d = new LinkedHashMap<>();
        boolean v3 = q.compat().equals("1.1");
        d.put("compat", q.compat());
        d.put("compression-type", q.compressionType());
        if (v3) {
            d.put("lazy-refcounts", q.lazyRefcounts());
        }
        if (!bitmaps.isEmpty()) {
            List<Object> list = new ArrayList<>();
            for (BitmapInfo b : bitmaps) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("flags", b.flags());
                e.put("name", b.name());
                e.put("granularity", b.granularity());
                list.add(e);
            }
            d.put("bitmaps", list);
        }
        d.put("refcount-bits", q.refcountBits());
        if (q.dataFile() != null) {
            d.put("data-file", q.dataFile());
        }
        if (q.dataFile() != null || q.dataFileRaw()) {
            d.put("data-file-raw", q.dataFileRaw());
        }
        if (v3) {
            d.put("corrupt", q.corrupt());
            d.put("extended-l2", q.extendedL2());
        }
        return d;
    }

    private static Map<String, Object> snapshot(SnapshotTable.Entry e) {
        Map<String, Object> s = new LinkedHashMap<>();
        if (e.icount() != -1) {
            s.put("icount", e.icount());
        }
        s.put("vm-clock-nsec", e.vmClockNsec() % 1_000_000_000L);
        s.put("name", e.name());
        s.put("date-sec", e.dateSec());
        s.put("date-nsec", e.dateNsec());
        s.put("vm-clock-sec", e.vmClockNsec() / 1_000_000_000L);
        s.put("id", e.id());
        s.put("vm-state-size", e.vmStateSize());
        return s;
    }

    static String human(ImageInfo i) {
        StringBuilder sb = new StringBuilder();
        sb.append("image: ").append(i.filename()).append('\n');
        sb.append("file format: ").append(i.format()).append('\n');
        sb.append("virtual size: ").append(QemuSize.human(i.virtualSize())).append(" (").append(i.virtualSize())
                .append(" bytes)\n");
        sb.append("disk size: ").append(i.actualSize() >= 0 ? QemuSize.human(i.actualSize()) : "unavailable")
                .append('\n');
        if (i.clusterSize() > 0) {
            sb.append("cluster_size: ").append(i.clusterSize()).append('\n');
        }
        if (i.dirty()) {
            sb.append("cleanly shut down: no\n");
        }
        if (i.backingFilename() != null) {
            sb.append("backing file: ").append(i.backingFilename());
            if (!i.backingFilename().equals(i.fullBackingFilename())) {
                sb.append(" (actual path: ").append(i.fullBackingFilename()).append(')');
            }
            sb.append('\n');
            if (i.backingFormat() != null) {
                sb.append("backing file format: ").append(i.backingFormat()).append('\n');
            }
        }
        if (!i.snapshots().isEmpty()) {
            sb.append(snapshotList(i.snapshots()));
        }
        if (i.qcow2() != null) {
            sb.append("Format specific information:\n");
            HumanTree.append(sb, qcow2(i.qcow2(), i.bitmaps()), 1);
        }
        return sb.toString();
    }

    /** "Snapshot list:", the column header and one row per snapshot, as info and snapshot -l print it. */
    static String snapshotList(java.util.List<SnapshotTable.Entry> snapshots) {
        StringBuilder sb = new StringBuilder("Snapshot list:\n");
        sb.append(String.format(Locale.ROOT, "%-9s %-17s %7s%20s%13s%11s\n", "ID", "TAG", "VM SIZE", "DATE",
                "VM CLOCK", "ICOUNT"));
        for (SnapshotTable.Entry e : snapshots) {
            sb.append(snapshotRow(e)).append('\n');
        }
        return sb.toString();
    }

    static String snapshotRow(SnapshotTable.Entry e) {
        String date = DATE.format(Instant.ofEpochSecond(e.dateSec()).atZone(ZoneId.systemDefault()));
        long ms = e.vmClockNsec() / 1_000_000L;
        String clock = String.format(Locale.ROOT, "%02d:%02d:%02d.%03d", ms / 3_600_000L, (ms / 60_000L) % 60,
                (ms / 1000) % 60, ms % 1000);
        String icount = e.icount() == -1 ? "" : Long.toString(e.icount());
        return String.format(Locale.ROOT, "%-9s %-17s %7s%20s%13s%11s", e.id(), e.name(),
                QemuSize.human(e.vmStateSize()), date, clock, icount);
    }
}
