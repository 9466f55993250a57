namespace MLNet.CnnDiagnostics.Analysis;

/// <summary>A square grid convolved with t-SNE's kernel 1/(1+r²)² by FFT (see <see cref="GridConvolution{V}"/>).</summary>
internal interface IGridConvolution
{
    /// <summary>Distance between the grid's rows (and its row count), set by <see cref="Prepare"/>: the FFT length or a little more.</summary>
    int Stride { get; }

    /// <summary>Makes the kernel's spectrum current for this FFT length (2,3,5-smooth) and node spacing <paramref name="h"/> (box width / p).</summary>
    void Prepare(int length, double width, double h);

    /// <summary>Both grids (re + i·im) ← IFFT(FFT(re + i·im) · K̂), unscaled, for data in the first <paramref name="nodes"/> rows and columns.</summary>
    void Convolve(float[] re1, float[] im1, float[] re2, float[] im2, int nodes);
}
