using System;
using System.Collections.Generic;
using System.Linq;

namespace MLNet.CnnDiagnostics.Analyzers.Onnx;

/// <summary>The layer names nearest a misspelt one, by case-insensitive edit distance (the analyzer's copy of the library's ClosestNames: it cannot reference net10.0).</summary>
public static class ClosestLayerNames
{
    /// <summary>Up to <paramref name="count"/> candidates, nearest first, ties in ordinal order.</summary>
    public static IReadOnlyList<string> Find(string name, IEnumerable<string> candidates, int count = 5)
    {
        string target = name.ToLowerInvariant();
        return candidates
            .Distinct(StringComparer.Ordinal)
            .Select(c => (Name: c, Distance: EditDistance(target, c.ToLowerInvariant())))
            .OrderBy(p => p.Distance).ThenBy(p => p.Name, StringComparer.Ordinal)
            .Take(count)
            .Select(p => p.Name)
            .ToList();
    }

    /// <summary>Levenshtein distance with two rolling rows.</summary>
    public static int EditDistance(string a, string b)
    {
        var above = new int[b.Length + 1];
        var row = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) above[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitute = above[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                row[j] = Math.Min(substitute, Math.Min(row[j - 1], above[j]) + 1);
            }
            var swap = above;
            above = row;
            row = swap;
        }
        return above[b.Length];
    }
}
