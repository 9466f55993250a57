namespace MLNet.CnnDiagnostics;

/// <summary>Progress of a long piece of work (a dataset scan, t-SNE, class visualization, a report section).</summary>
/// <param name="Stage">What is being done, in a few words.</param>
/// <param name="Done">Units finished so far.</param>
/// <param name="Total">Units in all (0 when unknown).</param>
public readonly record struct DiagnosticsProgress(string Stage, long Done, long Total)
{
    /// <summary>Fraction done in [0, 1], or 0 when the total is unknown.</summary>
    public double Fraction => Total > 0 ? Math.Clamp((double)Done / Total, 0, 1) : 0;

    /// <inheritdoc/>
    public override string ToString() => Total > 0 ? $"{Stage}: {Done}/{Total}" : $"{Stage}: {Done}";
}
