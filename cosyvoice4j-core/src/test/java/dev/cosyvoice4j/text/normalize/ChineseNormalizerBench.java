package dev.cosyvoice4j.text.normalize;

import dev.cosyvoice4j.text.normalize.zh.ChineseNormalizer;

/**
 * Throughput of {@link ChineseNormalizer} on short sentences, one thread (the issue asks for ≥ 10,000 sentences
 * per second on one core). It prints the rate per wall-clock second and per CPU second of the thread. Run: {@code java -cp cosyvoice4j-core/target/classes:cosyvoice4j-core/target/test-classes
 * dev.cosyvoice4j.text.normalize.ChineseNormalizerBench [seconds]}.
 */
public final class ChineseNormalizerBench {
    private ChineseNormalizerBench() {}

    private static final String[] SENTENCES = {
            "共465篇，约315万字", "共计6.42万人", "同比升高0.6个百分点", "总量的1/5以上", "同比增长6.3%",
            "2002/01/28", "8月16号12:00之前", "我是5:02开始的", "于5:35:36发射", "8:00 a.m.准时开会",
            "比分定格在78:96", "计算-2的绝对值是2", "价格是￥13.5", "重达25kg", "最高气温38°C",
            "实际面积120m²", "可以打我手机13501234567", "给12315打个电话", "人均200以内", "独得300w张",
            "今天中午12点我们在2号会议室开会", "这款手机售价3999元，比去年便宜了200元。", "中国1-2负于日本",
            "他跑了10km/h的速度，用时1小时30分钟。",
    };

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
        ChineseNormalizer normalizer = new ChineseNormalizer();
        long sink = 0;
        // warm-up
        long end = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < end) for (String s : SENTENCES) sink += normalizer.normalize(s).length();
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long count = 0;
        long cpuStart = threads.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        end = start + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            for (String s : SENTENCES) sink += normalizer.normalize(s).length();
            count += SENTENCES.length;
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        double cpu = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e9;
        // per CPU second too: on a shared machine the wall clock also counts the time other processes had the core
        System.out.printf("ChineseNormalizer: %.0f sentences/s wall, %.0f sentences per CPU-second, one thread"
                        + " (%d sentences, avg %.1f chars, %.1f s wall, %.1f s CPU; %d)%n",
                count / elapsed, count / cpu, count, avgLength(), elapsed, cpu, sink % 10);
    }

    private static double avgLength() {
        double total = 0;
        for (String s : SENTENCES) total += s.codePointCount(0, s.length());
        return total / SENTENCES.length;
    }
}
