/* MLNet.CnnDiagnostics report: the interactive scatter (zoom, pan, tooltips, legend). Plain JavaScript, no network. */
(function () {
  'use strict';
  var TAB10 = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
  var TAB20 = ['#1f77b4', '#aec7e8', '#ff7f0e', '#ffbb78', '#2ca02c', '#98df8a', '#d62728', '#ff9896', '#9467bd', '#c5b0d5',
    '#8c564b', '#c49c94', '#e377c2', '#f7b6d2', '#7f7f7f', '#c7c7c7', '#bcbd22', '#dbdb8d', '#17becf', '#9edae5'];
  var NONE = '#9e9e9e';
  var W = 800, H = 560, PAD = 18, MIN_ZOOM = 0.5, MAX_ZOOM = 500;
  // above this many points the map is drawn on a canvas (one element instead of one per point) and hovering uses a grid index
  var CANVAS_FROM = 3000, CELL = 4;

  // tab10 up to 10 classes, tab20 up to 20, then well-separated hues (golden angle)
  function palette(n) {
    if (n <= 10) return TAB10.slice(0, n);
    if (n <= 20) return TAB20.slice(0, n);
    var out = [];
    for (var i = 0; i < n; i++) out.push('hsl(' + ((i * 137.508) % 360).toFixed(1) + ',' + (i % 2 ? 55 : 72) + '%,' + (i % 3 ? 52 : 40) + '%)');
    return out;
  }

  function clamp(v, lo, hi) { return v < lo ? lo : v > hi ? hi : v; }

  function Scatter(root) {
    var data = JSON.parse(root.querySelector('script.scatter-data').textContent);
    var svg = root.querySelector('svg.scatter-plot');
    var layer = svg.querySelector('g.points');
    var canvas = root.querySelector('.scatter-canvas');
    var tip = root.querySelector('.scatter-tooltip');
    var legend = root.querySelector('.scatter-legend');
    var n = data.x.length, colours = palette(data.classes.length);
    var colorBy = data.colorBy === 'prediction' ? 'prediction' : 'label';
    var hidden = {};
    var bx = new Float64Array(n), by = new Float64Array(n), circles = new Array(n);
    var useCanvas = n > CANVAS_FROM, points = null, ctx = null, groups = [], grid = null, drawMs = [];
    var view = { k: 1, tx: 0, ty: 0 };
    var pending = false, hoverIndex = -1, drag = null, i;

    function name(c) { return c < 0 ? '(none)' : data.classes[c]; }
    function classOf(j) { return colorBy === 'prediction' ? data.prediction[j] : data.label[j]; }
    function wrong(j) { return data.label[j] >= 0 && data.prediction[j] >= 0 && data.label[j] !== data.prediction[j]; }
    function colour(c) { return c < 0 ? NONE : colours[c]; }

    // equal scales on both axes: a t-SNE map must not be stretched
    var minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    for (i = 0; i < n; i++) {
      if (data.x[i] < minX) minX = data.x[i];
      if (data.x[i] > maxX) maxX = data.x[i];
      if (data.y[i] < minY) minY = data.y[i];
      if (data.y[i] > maxY) maxY = data.y[i];
    }
    var spanX = (maxX - minX) || 1, spanY = (maxY - minY) || 1;
    var s = Math.min((W - 2 * PAD) / spanX, (H - 2 * PAD) / spanY);
    var ox = (W - s * (maxX - minX)) / 2, oy = (H - s * (maxY - minY)) / 2;
    for (i = 0; i < n; i++) {
      bx[i] = ox + (data.x[i] - minX) * s;
      by[i] = H - (oy + (data.y[i] - minY) * s);
    }

    var radius = n > 3000 ? 2 : n > 1000 ? 2.8 : 3.6;
    svg.style.setProperty('--r', radius + 'px');
    var frag = document.createDocumentFragment();
    for (i = 0; i < (useCanvas ? 0 : n); i++) {
      var c = document.createElementNS(svg.namespaceURI, 'circle');
      c.setAttribute('r', radius);
      c.setAttribute('cx', bx[i].toFixed(2));
      c.setAttribute('cy', by[i].toFixed(2));
      c.setAttribute('class', wrong(i) ? 'pt wrong' : 'pt');
      c.setAttribute('data-index', i);
      c.setAttribute('data-row', data.row[i]);
      if (data.label[i] >= 0) c.setAttribute('data-label', data.classes[data.label[i]]);
      if (data.prediction[i] >= 0) c.setAttribute('data-prediction', data.classes[data.prediction[i]]);
      circles[i] = c;
      frag.appendChild(c);
    }
    layer.appendChild(frag);
    if (useCanvas) {
      points = document.createElement('canvas');
      points.className = 'scatter-points';
      points.style.cssText = 'position:absolute;left:0;top:0;pointer-events:none;';
      svg.parentNode.insertBefore(points, svg.nextSibling);
      ctx = points.getContext('2d');
      grid = buildGrid();
      root.setAttribute('data-renderer', 'canvas');
    }

    // points by grid cell of the unzoomed plot (counting sort), so hovering looks at a few cells, not at every point
    function buildGrid() {
      var cols = Math.ceil(W / CELL) + 1, rows = Math.ceil(H / CELL) + 1, start = new Int32Array(cols * rows + 1), items = new Int32Array(n), cell = new Int32Array(n), j;
      for (j = 0; j < n; j++) {
        cell[j] = clamp(Math.floor(by[j] / CELL), 0, rows - 1) * cols + clamp(Math.floor(bx[j] / CELL), 0, cols - 1);
        start[cell[j] + 1]++;
      }
      for (j = 0; j < cols * rows; j++) start[j + 1] += start[j];
      var fill = start.slice(0, cols * rows);
      for (j = 0; j < n; j++) items[fill[cell[j]]++] = j;
      return { cols: cols, rows: rows, start: start, items: items };
    }

    // the visible point nearest to p (plot units) within the drawn radius, or -1
    function nearest(p) {
      var x = (p.x - view.tx) / view.k, y = (p.y - view.ty) / view.k, reach = (radius + 1.5) / view.k;
      var c0 = clamp(Math.floor((x - reach) / CELL), 0, grid.cols - 1), c1 = clamp(Math.floor((x + reach) / CELL), 0, grid.cols - 1);
      var r0 = clamp(Math.floor((y - reach) / CELL), 0, grid.rows - 1), r1 = clamp(Math.floor((y + reach) / CELL), 0, grid.rows - 1);
      var best = -1, bestD = reach * reach;
      for (var r = r0; r <= r1; r++)
        for (var c = c0; c <= c1; c++) {
          var cell = r * grid.cols + c;
          for (var t = grid.start[cell]; t < grid.start[cell + 1]; t++) {
            var j = grid.items[t];
            if (hidden[classOf(j)] === true) continue;
            var dx = bx[j] - x, dy = by[j] - y, d = dx * dx + dy * dy;
            if (d <= bestD) { bestD = d; best = j; }
          }
        }
      return best;
    }

    // a colour as a little-endian RGBA word, through the canvas's own parsing (hex, rgb() or hsl())
    var packed = {};
    function pack(css) {
      if (packed[css] === undefined) {
        ctx.fillStyle = '#000';
        ctx.fillStyle = css;
        var hex = ctx.fillStyle, v = parseInt(hex.slice(1), 16);
        packed[css] = (255 << 24 | (v & 255) << 16 | ((v >> 8) & 255) << 8 | (v >> 16)) >>> 0;
      }
      return packed[css];
    }

    // every visible point as a small square written straight into the canvas's pixels: no path for the rasteriser to fill,
    // so a frame costs one pass over the points whatever the zoom
    var image = null, pixels = null;
    function draw() {
      var t0 = performance.now();
      var rect = svg.getBoundingClientRect(), dpr = window.devicePixelRatio || 1;
      var pw = Math.max(1, Math.round(rect.width * dpr)), ph = Math.max(1, Math.round(rect.height * dpr));
      if (points.width !== pw || points.height !== ph || image === null) {
        points.width = pw; points.height = ph;
        points.style.width = rect.width + 'px'; points.style.height = rect.height + 'px';
        image = ctx.createImageData(pw, ph);
        pixels = new Uint32Array(image.data.buffer);
      }
      pixels.fill(0);
      var sx = pw / W, sy = ph / H, half = Math.max(1, Math.round(radius * 0.8 * sx)), k = view.k, tx = view.tx, ty = view.ty;
      for (var g = 0; g < groups.length; g++) {
        var group = groups[g];
        if (hidden[group.cls] === true) continue;
        var col = pack(colour(group.cls)), items = group.items;
        for (var t = 0; t < items.length; t++) {
          var j = items[t];
          var x = Math.round((tx + bx[j] * k) * sx), y = Math.round((ty + by[j] * k) * sy);
          if (x < -half || y < -half || x >= pw + half || y >= ph + half) continue;
          var x0 = x - half < 0 ? 0 : x - half, x1 = x + half > pw ? pw : x + half, y0 = y - half < 0 ? 0 : y - half, y1 = y + half > ph ? ph : y + half;
          for (var yy = y0; yy < y1; yy++) {
            var row = yy * pw;
            for (var xx = x0; xx < x1; xx++) pixels[row + xx] = col;
          }
        }
      }
      ctx.putImageData(image, 0, 0);
      if (hoverIndex >= 0) {
        ctx.setTransform(sx, 0, 0, sy, 0, 0);
        var r = radius * 0.8;
        ctx.lineWidth = 2.2;
        ctx.strokeStyle = '#000';
        ctx.strokeRect(tx + bx[hoverIndex] * k - r - 1, ty + by[hoverIndex] * k - r - 1, 2 * r + 2, 2 * r + 2);
        ctx.setTransform(1, 0, 0, 1, 0, 0);
      }
      drawMs.push(performance.now() - t0);
      if (drawMs.length > 1000) drawMs.shift();
    }

    function regroup() {
      var byClass = {}, j;
      groups = [];
      for (j = 0; j < n; j++) {
        var cls = classOf(j);
        if (!byClass[cls]) { byClass[cls] = { cls: cls, items: [] }; groups.push(byClass[cls]); }
        byClass[cls].items.push(j);
      }
    }

    function mark(j, on) {
      if (useCanvas) schedule();
      else circles[j].classList.toggle('hover', on);
    }

    // one transform on the group instead of moving every point: zooming costs the same for 100 or 10,000 points;
    // the radius is divided by the zoom (CSS) so points keep their size on screen
    function render() {
      pending = false;
      if (useCanvas) draw();
      layer.setAttribute('transform', 'translate(' + view.tx.toFixed(3) + ' ' + view.ty.toFixed(3) + ') scale(' + view.k.toPrecision(6) + ')');
      svg.style.setProperty('--k', view.k.toPrecision(6));
      svg.setAttribute('data-zoom', view.k.toFixed(4));
    }
    function schedule() {
      if (!pending) { pending = true; window.requestAnimationFrame(render); }
    }

    function recolour() {
      if (useCanvas) { regroup(); schedule(); return; }
      for (var j = 0; j < n; j++) {
        var cls = classOf(j);
        circles[j].setAttribute('fill', colour(cls));
        circles[j].classList.toggle('off', hidden[cls] === true);
      }
    }

    function buildLegend() {
      legend.textContent = '';
      var counts = {}, wrongCount = 0, j;
      for (j = 0; j < n; j++) {
        var cls = classOf(j);
        counts[cls] = (counts[cls] || 0) + 1;
        if (wrong(j)) wrongCount++;
      }
      var order = [];
      for (j = 0; j < data.classes.length; j++) if (counts[j]) order.push(j);
      if (counts[-1]) order.push(-1);
      order.forEach(function (cls) {
        var li = document.createElement('li'), b = document.createElement('button');
        b.type = 'button';
        b.setAttribute('data-class', name(cls));
        b.title = 'show or hide ' + name(cls);
        var sw = document.createElement('span'), label = document.createElement('span'), count = document.createElement('span');
        sw.className = 'swatch';
        sw.style.background = colour(cls);
        label.textContent = name(cls);
        count.className = 'n';
        count.textContent = counts[cls];
        b.appendChild(sw); b.appendChild(label); b.appendChild(count);
        b.addEventListener('click', function () {
          hidden[cls] = !hidden[cls];
          b.classList.toggle('off', hidden[cls]);
          recolour();
        });
        li.appendChild(b);
        legend.appendChild(li);
      });
      if (wrongCount > 0) {
        var note = document.createElement('li');
        note.className = 'legend-note';
        note.textContent = 'dark ring: prediction differs from label (' + wrongCount + ' of ' + n + ')';
        legend.appendChild(note);
      }
    }

    function toPlot(e) {
      var rect = svg.getBoundingClientRect();
      return { x: (e.clientX - rect.left) * W / rect.width, y: (e.clientY - rect.top) * H / rect.height };
    }

    function zoomAt(p, factor) {
      var k = clamp(view.k * factor, MIN_ZOOM, MAX_ZOOM), f = k / view.k;
      view.tx = p.x - (p.x - view.tx) * f;
      view.ty = p.y - (p.y - view.ty) * f;
      view.k = k;
      schedule();
    }

    function reset() {
      view.k = 1; view.tx = 0; view.ty = 0;
      hideTip();
      schedule();
    }

    function hideTip() {
      var was = hoverIndex;
      hoverIndex = -1;
      if (was >= 0) mark(was, false);
      tip.hidden = true;
    }

    function line(parent, key, value, cls) {
      var d = document.createElement('div'), k = document.createElement('b');
      k.textContent = key + ': ';
      d.appendChild(k);
      d.appendChild(document.createTextNode(value));
      if (cls) d.className = cls;
      parent.appendChild(d);
    }

    function showTip(j, e) {
      if (hoverIndex !== j) {
        var was = hoverIndex;
        hoverIndex = j;
        if (was >= 0) mark(was, false);
        mark(j, true);
        tip.textContent = '';
        if (data.thumb[j] >= 0) {
          var img = document.createElement('img');
          img.src = 'data:image/png;base64,' + data.thumbs[data.thumb[j]];
          img.alt = 'row ' + data.row[j];
          tip.appendChild(img);
        }
        var text = document.createElement('div');
        line(text, 'row', String(data.row[j]));
        line(text, 'label', name(data.label[j]));
        if (data.prediction[j] >= 0) line(text, 'prediction', name(data.prediction[j]), wrong(j) ? 'wrong' : '');
        tip.appendChild(text);
        tip.setAttribute('data-row', data.row[j]);
        tip.setAttribute('data-index', j);
        tip.hidden = false;
      }
      var rect = canvas.getBoundingClientRect();
      var x = e.clientX - rect.left + 14, y = e.clientY - rect.top + 14;
      if (x + tip.offsetWidth > rect.width) x = Math.max(0, e.clientX - rect.left - tip.offsetWidth - 14);
      if (y + tip.offsetHeight > rect.height) y = Math.max(0, e.clientY - rect.top - tip.offsetHeight - 14);
      tip.style.left = x + 'px';
      tip.style.top = y + 'px';
    }

    svg.addEventListener('wheel', function (e) {
      e.preventDefault();
      var step = e.deltaMode === 1 ? 0.05 : e.deltaMode === 2 ? 1 : 0.0015;
      zoomAt(toPlot(e), Math.exp(-e.deltaY * step));
    }, { passive: false });

    svg.addEventListener('pointerdown', function (e) {
      if (e.button !== 0) return;
      drag = { id: e.pointerId, x: e.clientX, y: e.clientY, tx: view.tx, ty: view.ty, moved: false };
    });
    svg.addEventListener('pointermove', function (e) {
      if (drag && e.pointerId === drag.id) {
        var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
        if (drag.moved || Math.abs(dx) + Math.abs(dy) >= 3) {
          if (!drag.moved) {
            drag.moved = true;
            svg.setPointerCapture(e.pointerId);
            svg.classList.add('dragging');
            hideTip();
          }
          var scale = W / svg.getBoundingClientRect().width;
          view.tx = drag.tx + dx * scale;
          view.ty = drag.ty + dy * scale;
          schedule();
          return;
        }
      }
      var t = e.target, hit = useCanvas ? nearest(toPlot(e)) : -1;
      if (hit >= 0) showTip(hit, e);
      else if (!useCanvas && t && t.classList && t.classList.contains('pt')) showTip(Number(t.getAttribute('data-index')), e);
      else if (hoverIndex >= 0) hideTip();
    });
    function endDrag(e) {
      if (!drag || e.pointerId !== drag.id) return;
      if (drag.moved && svg.hasPointerCapture(e.pointerId)) svg.releasePointerCapture(e.pointerId);
      svg.classList.remove('dragging');
      drag = null;
    }
    svg.addEventListener('pointerup', endDrag);
    svg.addEventListener('pointercancel', endDrag);
    svg.addEventListener('pointerleave', hideTip);
    svg.addEventListener('dblclick', reset);
    root.querySelector('.scatter-reset').addEventListener('click', reset);
    Array.prototype.forEach.call(root.querySelectorAll('.colour-by input[type=radio]'), function (radio) {
      radio.addEventListener('change', function () {
        if (!radio.checked) return;
        colorBy = radio.value === 'prediction' ? 'prediction' : 'label';
        hidden = {};
        recolour();
        buildLegend();
      });
    });

    recolour();
    buildLegend();
    render();
    root.setAttribute('data-ready', 'true');

    // for tests and curious readers: the view and each point's position on screen
    this.api = {
      id: root.id,
      count: n,
      renderer: useCanvas ? 'canvas' : 'svg',
      view: function () { return { k: view.k, tx: view.tx, ty: view.ty }; },
      reset: reset,
      // zoom by factor about a point in plot units, or pan by (dx, dy) plot units: what the wheel and a drag do
      zoom: function (x, y, factor) { zoomAt({ x: x, y: y }, factor); },
      pan: function (dx, dy) { view.tx += dx; view.ty += dy; schedule(); },
      drawTimes: function () { return drawMs.slice(); },
      screenPoints: function () {
        var out = [], rect = svg.getBoundingClientRect(), sx = rect.width / W, sy = rect.height / H;
        for (var j = 0; j < n; j++) {
          var b = useCanvas
            ? { left: rect.left + (view.tx + bx[j] * view.k) * sx, top: rect.top + (view.ty + by[j] * view.k) * sy, width: 0, height: 0 }
            : circles[j].getBoundingClientRect();
          out.push({ index: j, row: data.row[j], label: data.label[j] >= 0 ? data.classes[data.label[j]] : null,
            x: b.left + b.width / 2, y: b.top + b.height / 2, visible: useCanvas ? hidden[classOf(j)] !== true : !circles[j].classList.contains('off') });
        }
        return out;
      }
    };
  }

  var plots = [];
  Array.prototype.forEach.call(document.querySelectorAll('figure.scatter'), function (root) {
    try {
      plots.push(new Scatter(root).api);
    } catch (err) {
      var p = document.createElement('p');
      p.className = 'note skipped';
      p.textContent = 'The scatter could not be drawn: ' + err;
      root.appendChild(p);
      console.error('cnndiag scatter ' + root.id + ':', err);
    }
  });
  window.cnndiagScatter = { plots: plots };
})();
