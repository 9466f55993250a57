using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MLNet.CnnDiagnostics.Analysis;

/// <summary>
/// Several complex FFTs of one length at once, one per SIMD lane (8 or 16: the 2-D FFT's rows or columns in blocks). Lengths are products of 2, 3 and 5; recursive mixed-radix decimation in time,
/// X[k₁+m·k₂] = Σ_{j₂} w_p^{j₂k₂}·w_n^{j₂k₁}·Y_{j₂}[k₁], with a precomputed twiddle table. Unscaled in both directions.
/// </summary>
internal sealed class BatchedFourierTransform<V> where V : struct, ILaneVector<V>
{
    private readonly int _n;
    private readonly int[] _factors;
    private readonly float[] _cos, _sin;
    private readonly float[][] _levelCos, _levelSin; // per recursion level: w_n^{j·k₁} at [(j−1)·m + k₁]

    public BatchedFourierTransform(int n)
    {
        if (n < 1 || !IsFastLength(n)) throw new ArgumentOutOfRangeException(nameof(n), n, "FFT length must be a product of 2, 3 and 5.");
        _n = n;
        var factors = new List<int>();
        int rest = n;
        while (rest % 4 == 0) { factors.Add(4); rest /= 4; }
        foreach (int p in new[] { 2, 3, 5 })
            while (rest % p == 0) { factors.Add(p); rest /= p; }
        _factors = factors.ToArray();
        _cos = new float[n];
        _sin = new float[n];
        for (int i = 0; i < n; i++)
        {
            _cos[i] = (float)Math.Cos(2 * Math.PI * i / n);
            _sin[i] = (float)Math.Sin(2 * Math.PI * i / n);
        }
        _levelCos = new float[_factors.Length][];
        _levelSin = new float[_factors.Length][];
        int size = n;
        for (int level = 0; level < _factors.Length; level++)
        {
            int p = _factors[level], m = size / p, step = n / size;
            _levelCos[level] = new float[(p - 1) * m];
            _levelSin[level] = new float[(p - 1) * m];
            for (int j = 1; j < p; j++)
                for (int k1 = 0; k1 < m; k1++)
                {
                    int e = (int)((long)j * k1 * step % n);
                    _levelCos[level][(j - 1) * m + k1] = _cos[e];
                    _levelSin[level][(j - 1) * m + k1] = _sin[e];
                }
            size = m;
        }
    }

    public int Length => _n;

    public static bool IsFastLength(int n)
    {
        if (n < 1) return false;
        foreach (int p in new[] { 2, 3, 5 }) while (n % p == 0) n /= p;
        return n == 1;
    }

    /// <summary>The smallest 2,3,5-smooth multiple of <paramref name="multiple"/> (a power of 2) that is ≥ n.</summary>
    public static int NextFastLength(int n, int multiple)
    {
        int m = Math.Max(multiple, (n + multiple - 1) / multiple * multiple);
        while (!IsFastLength(m)) m += multiple;
        return m;
    }

    /// <summary>(dre, dim) ← DFT(sre, sim) lane-wise (exponent sign − forward, + inverse); the source is left unchanged.</summary>
    public void Transform(V[] sre, V[] sim, V[] dre, V[] dim, bool inverse)
    {
        if (_n == 1) { dre[0] = sre[0]; dim[0] = sim[0]; return; }
        Recurse(sre, sim, 0, 1, dre, dim, 0, _n, 0, inverse ? 1f : -1f);
    }

    private void Recurse(V[] sre, V[] sim, int so, int stride, V[] re, V[] im, int d0, int n, int level, float sign)
    {
        int p = _factors[level], m = n / p;
        if (m == 1)
        {
            for (int j = 0; j < p; j++) { re[d0 + j] = sre[so + j * stride]; im[d0 + j] = sim[so + j * stride]; }
            Butterfly(ref re[d0], ref im[d0], 1, p, sign);
            return;
        }
        for (int j = 0; j < p; j++) Recurse(sre, sim, so + j * stride, stride * p, re, im, d0 + j * m, m, level + 1, sign);
        ref float cos = ref MemoryMarshal.GetArrayDataReference(_levelCos[level]);
        ref float sin = ref MemoryMarshal.GetArrayDataReference(_levelSin[level]);
        ref V r = ref MemoryMarshal.GetArrayDataReference(re);
        ref V i = ref MemoryMarshal.GetArrayDataReference(im);
        // one sweep: twiddle the p inputs of output group k₁ (k₁ = 0 has twiddle 1), then combine them
        for (int k1 = 0; k1 < m; k1++)
        {
            if (k1 > 0)
                for (int j = 1; j < p; j++)
                {
                    int t = (j - 1) * m + k1, o = d0 + j * m + k1;
                    var c = V.Broadcast(Unsafe.Add(ref cos, t));
                    var sn = V.Broadcast(sign * Unsafe.Add(ref sin, t));
                    ref V a = ref Unsafe.Add(ref r, o);
                    ref V b = ref Unsafe.Add(ref i, o);
                    var (ar, bi) = (a, b);
                    a = ar * c - bi * sn;
                    b = bi * c + ar * sn;
                }
            Butterfly(ref Unsafe.Add(ref r, d0 + k1), ref Unsafe.Add(ref i, d0 + k1), m, p, sign);
        }
    }

    private static readonly float S3 = (float)(Math.Sqrt(3) / 2);
    private static readonly float C5a = (float)Math.Cos(2 * Math.PI / 5), C5b = (float)Math.Cos(4 * Math.PI / 5);
    private static readonly float S5a = (float)Math.Sin(2 * Math.PI / 5), S5b = (float)Math.Sin(4 * Math.PI / 5);

    /// <summary>In-place p-point DFT of x[o], x[o+s], …; <paramref name="sign"/> is the exponent's sign. i·σ·(a+ib) = −σb + iσa.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Butterfly(ref V re, ref V im, int s, int p, float sign)
    {
        switch (p)
        {
            case 2:
            {
                V ar = Unsafe.Add(ref re, 0), ai = Unsafe.Add(ref im, 0), br = Unsafe.Add(ref re, s), bi = Unsafe.Add(ref im, s);
                Unsafe.Add(ref re, 0) = ar + br; Unsafe.Add(ref im, 0) = ai + bi;
                Unsafe.Add(ref re, s) = ar - br; Unsafe.Add(ref im, s) = ai - bi;
                break;
            }
            case 3:
            {
                V ar = Unsafe.Add(ref re, 0), ai = Unsafe.Add(ref im, 0), br = Unsafe.Add(ref re, s), bi = Unsafe.Add(ref im, s), cr = Unsafe.Add(ref re, 2 * s), ci = Unsafe.Add(ref im, 2 * s);
                V tr = br + cr, ti = bi + ci;
                V ur = ar - tr * 0.5f, ui = ai - ti * 0.5f;
                float k = sign * S3;
                V rr = (ci - bi) * k, ri = (br - cr) * k;
                Unsafe.Add(ref re, 0) = ar + tr; Unsafe.Add(ref im, 0) = ai + ti;
                Unsafe.Add(ref re, s) = ur + rr; Unsafe.Add(ref im, s) = ui + ri;
                Unsafe.Add(ref re, 2 * s) = ur - rr; Unsafe.Add(ref im, 2 * s) = ui - ri;
                break;
            }
            case 4:
            {
                V ar = Unsafe.Add(ref re, 0), ai = Unsafe.Add(ref im, 0), br = Unsafe.Add(ref re, s), bi = Unsafe.Add(ref im, s);
                V cr = Unsafe.Add(ref re, 2 * s), ci = Unsafe.Add(ref im, 2 * s), dr = Unsafe.Add(ref re, 3 * s), di = Unsafe.Add(ref im, 3 * s);
                V t0r = ar + cr, t0i = ai + ci, t1r = ar - cr, t1i = ai - ci, t2r = br + dr, t2i = bi + di;
                V rr = (di - bi) * sign, ri = (br - dr) * sign;
                Unsafe.Add(ref re, 0) = t0r + t2r; Unsafe.Add(ref im, 0) = t0i + t2i;
                Unsafe.Add(ref re, 2 * s) = t0r - t2r; Unsafe.Add(ref im, 2 * s) = t0i - t2i;
                Unsafe.Add(ref re, s) = t1r + rr; Unsafe.Add(ref im, s) = t1i + ri;
                Unsafe.Add(ref re, 3 * s) = t1r - rr; Unsafe.Add(ref im, 3 * s) = t1i - ri;
                break;
            }
            default:
            {
                V ar = Unsafe.Add(ref re, 0), ai = Unsafe.Add(ref im, 0);
                V br = Unsafe.Add(ref re, s), bi = Unsafe.Add(ref im, s), cr = Unsafe.Add(ref re, 2 * s), ci = Unsafe.Add(ref im, 2 * s);
                V dr = Unsafe.Add(ref re, 3 * s), di = Unsafe.Add(ref im, 3 * s), er = Unsafe.Add(ref re, 4 * s), ei = Unsafe.Add(ref im, 4 * s);
                V s1r = br + er, s1i = bi + ei, d1r = br - er, d1i = bi - ei;
                V s2r = cr + dr, s2i = ci + di, d2r = cr - dr, d2i = ci - di;
                V u1r = ar + s1r * C5a + s2r * C5b, u1i = ai + s1i * C5a + s2i * C5b;
                V u2r = ar + s1r * C5b + s2r * C5a, u2i = ai + s1i * C5b + s2i * C5a;
                V w1r = d1r * S5a + d2r * S5b, w1i = d1i * S5a + d2i * S5b;
                V w2r = d1r * S5b - d2r * S5a, w2i = d1i * S5b - d2i * S5a;
                V r1r = -w1i * sign, r1i = w1r * sign, r2r = -w2i * sign, r2i = w2r * sign;
                Unsafe.Add(ref re, 0) = ar + s1r + s2r; Unsafe.Add(ref im, 0) = ai + s1i + s2i;
                Unsafe.Add(ref re, s) = u1r + r1r; Unsafe.Add(ref im, s) = u1i + r1i;
                Unsafe.Add(ref re, 4 * s) = u1r - r1r; Unsafe.Add(ref im, 4 * s) = u1i - r1i;
                Unsafe.Add(ref re, 2 * s) = u2r + r2r; Unsafe.Add(ref im, 2 * s) = u2i + r2i;
                Unsafe.Add(ref re, 3 * s) = u2r - r2r; Unsafe.Add(ref im, 3 * s) = u2i - r2i;
                break;
            }
        }
    }
}
