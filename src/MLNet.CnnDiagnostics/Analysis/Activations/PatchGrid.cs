using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Analysis.Activations;

/// <summary>Top activating patches laid out as a grid: a row per channel, k patches per row, best first.</summary>
public sealed class PatchGrid
{
    internal PatchGrid(FloatTensor patches, int[] channels, IReadOnlyList<IReadOnlyList<ActivationHit>> hits, ReceptiveField field)
    {
        Patches = patches;
        Channels = channels;
        Hits = hits;
        Field = field;
    }

    /// <summary>The patches [rows, k, image channels, field rows, field columns]; empty slots hold the fill value.</summary>
    public FloatTensor Patches { get; }

    /// <summary>The layer channel shown in each row.</summary>
    public IReadOnlyList<int> Channels { get; }

    /// <summary>Per row, the hits shown, best first (a row may hold fewer than k).</summary>
    public IReadOnlyList<IReadOnlyList<ActivationHit>> Hits { get; }

    /// <summary>The receptive field the patches were cut with.</summary>
    public ReceptiveField Field { get; }

    /// <summary>The image rectangle of the patch in row <paramref name="row"/>, slot <paramref name="slot"/>.</summary>
    public PixelRectangle Rectangle(int row, int slot) => Field.Rectangle(Hits[row][slot].Y, Hits[row][slot].X);
}
