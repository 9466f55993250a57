namespace MLNet.CnnDiagnostics.Analysis;

/// <summary>
/// A quadtree over 2-D points for the Barnes–Hut approximation of t-SNE's repulsion (van der Maaten 2014):
/// a cell whose width/distance is below θ acts as one point of its whole mass at its centre of mass.
/// Leaves keep their points, so coincident points are handled exactly and a point never repels itself.
/// </summary>
internal sealed class BarnesHutTree
{
    private const int LeafCapacity = 8;
    private const int MaxDepth = 40;

    private readonly float[] _y;
    private readonly int[] _order;
    private readonly List<Node> _nodes = new();

    private struct Node
    {
        public double CenterX, CenterY; // centre of mass
        public double Width;
        public int Count;
        public int FirstChild; // −1 for a leaf; otherwise 4 consecutive nodes
        public int Start, End; // leaf: its points in _order
    }

    public BarnesHutTree(float[] y, int n)
    {
        _y = y;
        _order = new int[n];
        for (int i = 0; i < n; i++) _order[i] = i;
        double minX = double.MaxValue, minY = double.MaxValue, maxX = double.MinValue, maxY = double.MinValue;
        for (int i = 0; i < n; i++)
        {
            minX = Math.Min(minX, y[2 * i]); maxX = Math.Max(maxX, y[2 * i]);
            minY = Math.Min(minY, y[2 * i + 1]); maxY = Math.Max(maxY, y[2 * i + 1]);
        }
        double width = Math.Max(Math.Max(maxX - minX, maxY - minY), 1e-12) * (1 + 1e-9);
        _nodes.Add(default);
        Build(0, 0, n, minX, minY, width, 0);
    }

    private void Build(int node, int start, int end, double x0, double y0, double width, int depth)
    {
        double cx = 0, cy = 0;
        for (int m = start; m < end; m++) { cx += _y[2 * _order[m]]; cy += _y[2 * _order[m] + 1]; }
        int count = end - start;
        var me = new Node { Count = count, Width = width, CenterX = count > 0 ? cx / count : 0, CenterY = count > 0 ? cy / count : 0, FirstChild = -1, Start = start, End = end };
        if (count <= LeafCapacity || depth >= MaxDepth)
        {
            _nodes[node] = me;
            return;
        }
        double half = width / 2, mx = x0 + half, my = y0 + half;
        // partition into quadrants 0:(<mx,<my) 1:(≥mx,<my) 2:(<mx,≥my) 3:(≥mx,≥my)
        int[] bounds = new int[5];
        bounds[0] = start;
        int cursor = start;
        for (int q = 0; q < 4; q++)
        {
            for (int m = cursor; m < end; m++)
            {
                int i = _order[m];
                int quadrant = (_y[2 * i] >= mx ? 1 : 0) + (_y[2 * i + 1] >= my ? 2 : 0);
                if (quadrant == q) { (_order[m], _order[cursor]) = (_order[cursor], _order[m]); cursor++; }
            }
            bounds[q + 1] = cursor;
        }
        me.FirstChild = _nodes.Count;
        _nodes[node] = me;
        for (int q = 0; q < 4; q++) _nodes.Add(default);
        for (int q = 0; q < 4; q++)
            Build(me.FirstChild + q, bounds[q], bounds[q + 1], x0 + ((q & 1) != 0 ? half : 0), y0 + ((q & 2) != 0 ? half : 0), half, depth + 1);
    }

    /// <summary>
    /// Repulsion on the point (px, py): adds Σⱼ qⱼ²·(p − yⱼ) to (fx, fy) and returns Σⱼ qⱼ, qⱼ = 1/(1+‖p−yⱼ‖²),
    /// over all tree points except <paramref name="self"/> (−1 for none).
    /// </summary>
    public double Repulsion(double px, double py, int self, double theta, ref double fx, ref double fy)
    {
        Span<int> stack = stackalloc int[4 * MaxDepth + 8];
        int top = 0;
        stack[top++] = 0;
        double z = 0, theta2 = theta * theta;
        var nodes = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_nodes);
        while (top > 0)
        {
            ref readonly Node node = ref nodes[stack[--top]];
            if (node.Count == 0) continue;
            double dx = px - node.CenterX, dy = py - node.CenterY, d2 = dx * dx + dy * dy;
            if (node.FirstChild < 0)
            {
                for (int m = node.Start; m < node.End; m++)
                {
                    int j = _order[m];
                    if (j == self) continue;
                    double ex = px - _y[2 * j], ey = py - _y[2 * j + 1];
                    double q = 1 / (1 + ex * ex + ey * ey);
                    z += q; fx += q * q * ex; fy += q * q * ey;
                }
            }
            else if (node.Width * node.Width < theta2 * d2)
            {
                double q = 1 / (1 + d2);
                z += node.Count * q;
                double w = node.Count * q * q;
                fx += w * dx; fy += w * dy;
            }
            else
            {
                for (int c = 0; c < 4; c++) stack[top++] = node.FirstChild + c;
            }
        }
        return z;
    }
}
