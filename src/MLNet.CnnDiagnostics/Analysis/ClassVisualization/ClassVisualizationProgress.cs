namespace MLNet.CnnDiagnostics.Analysis.ClassVisualization;

/// <summary>Progress of an ascent: the step and each item's target value.</summary>
public sealed record ClassVisualizationProgress(int Step, int TotalSteps, IReadOnlyList<float> TargetValues);
