namespace MLNet.CnnDiagnostics.Analysis;

/// <summary>A progress report of a t-SNE run.</summary>
/// <param name="Phase">The current stage.</param>
/// <param name="Iteration">Iterations done in this stage.</param>
/// <param name="Iterations">Iterations this stage will run (0 for stages without iterations).</param>
/// <param name="KlDivergence">KL(P‖Q) of the current embedding (with the stage's exaggeration ignored); NaN where not computed.</param>
/// <param name="Elapsed">Time since the run started.</param>
public readonly record struct TsneProgress(TsnePhase Phase, int Iteration, int Iterations, double KlDivergence, TimeSpan Elapsed);
