namespace MLNet.CnnDiagnostics;

/// <summary>Finds the existing names closest to a misspelt one, for error messages.</summary>
internal static class ClosestNames
{
    /// <summary>Up to <paramref name="count"/> candidates ordered by edit distance (case-insensitive) to <paramref name="name"/>.</summary>
    public static IReadOnlyList<string> Find(string name, IEnumerable<string> candidates, int count = 5)
    {
        string lower = name.ToLowerInvariant();
        return candidates
            .Distinct()
            .Select(c => (c, d: Distance(lower, c.ToLowerInvariant()) - (c.Contains(name, StringComparison.OrdinalIgnoreCase) ? 100 : 0)))
            .OrderBy(p => p.d).ThenBy(p => p.c, StringComparer.Ordinal)
            .Take(count)
            .Select(p => p.c)
            .ToList();
    }

    /// <summary>"closest: a, b, c" (control characters escaped, see <see cref="DisplayText"/>) or "there are none".</summary>
    public static string Suggest(string name, IEnumerable<string> candidates, int count = 5)
    {
        var found = Find(name, candidates, count);
        return found.Count == 0 ? "there are none" : "closest: " + string.Join(", ", found.Select(DisplayText.Escape));
    }

    private static int Distance(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}
