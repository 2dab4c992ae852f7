package dev.cosyvoice4j.hub;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Which files of a repository to fetch: glob patterns over the '/'-separated path ({@code *} within one folder,
 * {@code **} across folders), minus exclusions.
 */
public record FileSelection(List<String> includes, List<String> excludes) {
    /** Every file of the repository. */
    public static final FileSelection ALL = new FileSelection(List.of("**"), List.of());

    public FileSelection {
        includes = List.copyOf(includes);
        excludes = List.copyOf(excludes);
    }

    public boolean matches(String path) {
        return includes.stream().anyMatch(g -> glob(g, path)) && excludes.stream().noneMatch(g -> glob(g, path));
    }

    static boolean glob(String glob, String path) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                re.append(".*");
                i++;
            } else if (c == '*') {
                re.append("[^/]*");
            } else if (c == '?') {
                re.append("[^/]");
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return path.matches(re.toString());
    }
}
