using System.Text.Json.Serialization;

namespace MLNet.CnnDiagnostics.Reporting;

/// <summary>
/// What a section's analysis found, as data: the derived class holds the numbers (serialised into the JSON summary),
/// this base holds the section's notes, the parts it had to leave out (<see cref="SectionSkip"/>) and its headline numbers.
/// Images a result keeps for its renderer are held in memory (<see cref="Rendering.RgbImage"/>) and written to the JSON as their size only.
/// </summary>
public abstract class SectionResult
{
    /// <summary>Remarks in the order they were made; a note with a <see cref="ReportNote.Skip"/> says that a part of the section is missing.</summary>
    [JsonPropertyName("notes")] public List<ReportNote> Notes { get; } = [];

    /// <summary>Numbers shown at the top of the page (after the built-in ones).</summary>
    [JsonPropertyName("headlines")] public List<Headline> Headlines { get; } = [];

    /// <summary>The parts of the section that were left out, in order.</summary>
    [JsonIgnore] public IEnumerable<SectionSkip> Skips => Notes.Where(n => n.Skip is not null).Select(n => n.Skip!);

    /// <summary>Adds a remark.</summary>
    /// <param name="text">The remark, e.g. "conv1: 2 dead filter(s): 17, 40.".</param>
    public void Note(string text) => Notes.Add(new ReportNote(text));

    /// <summary>Records that a part of the section is missing, and why (listed in the JSON's <c>skipped</c> and marked in the page).</summary>
    /// <param name="part">What is missing, e.g. "kNN accuracy".</param>
    /// <param name="reason">Why, e.g. "the data has no label column".</param>
    /// <param name="text">The note shown in the section; by default "Skipped {part}: {reason}.".</param>
    public void Skip(string part, string reason, string? text = null)
    {
        var skip = new SectionSkip(part, reason);
        Notes.Add(new ReportNote(text ?? $"Skipped {part}: {reason.TrimEnd('.')}.", skip));
    }
}

/// <summary>A part of a section that is missing from the report, and why.</summary>
/// <param name="Part">What is missing (e.g. "kNN accuracy"); the section id when the whole section failed.</param>
/// <param name="Reason">Why it is missing.</param>
public sealed record SectionSkip(
    [property: JsonPropertyName("part")] string Part,
    [property: JsonPropertyName("reason")] string Reason);

/// <summary>A remark in a section; <see cref="Skip"/> is set when the remark says that a part of the section is missing.</summary>
/// <param name="Text">The remark as shown.</param>
/// <param name="Skip">The missing part, or null for a plain remark.</param>
public sealed record ReportNote(
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("skip")] SectionSkip? Skip = null)
{
    /// <summary>A plain remark.</summary>
    /// <param name="text">The remark.</param>
    public static implicit operator ReportNote(string text) => new(text);

    /// <summary>Whether the note says that a part of the section is missing.</summary>
    [JsonIgnore] public bool IsSkip => Skip is not null;

    /// <summary>The text.</summary>
    public override string ToString() => Text;
}

/// <summary>A number shown at the top of the report (e.g. accuracy), with a verdict when it is a check.</summary>
/// <param name="Name">Label, e.g. "accuracy".</param>
/// <param name="Text">The value as shown, e.g. "92.0 %" or "3.1e-2 FAIL (≤ 1e-3)".</param>
/// <param name="Value">The value as a number, or null when it is not one.</param>
/// <param name="Passed">True for a passed check (drawn green), false for a failed one (red), null for a plain number.</param>
public sealed record Headline(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("value")] double? Value = null,
    [property: JsonPropertyName("passed")] bool? Passed = null);
