namespace MLNet.CnnDiagnostics.Analysis;

/// <summary>A square grid convolved with t-SNE's kernel 1/(1+r²)² by FFT (see <see cref="GridConvolution{V}"/>).</summary>
internal interface IGridConvolution
{
    /// <summary>Grid sizes must be multiples of this.</summary>
    int Alignment { get; }

    /// <summary>Makes the kernel's spectrum current for this grid size and node spacing <paramref name="h"/> (box width / p).</summary>
    void Prepare(int size, double width, double h);

    /// <summary>(re + i·im) ← IFFT(FFT(re + i·im) · K̂), unscaled, for data in the first <paramref name="nodes"/> rows and columns.</summary>
    void Convolve(float[] re, float[] im, int size, int nodes);
}
