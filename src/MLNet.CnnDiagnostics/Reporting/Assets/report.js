/* MLNet.CnnDiagnostics report: the interactive scatter (zoom, pan, tooltips, legend). Plain JavaScript, no network. */
(function () {
  'use strict';
  var TAB10 = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
  var TAB20 = ['#1f77b4', '#aec7e8', '#ff7f0e', '#ffbb78', '#2ca02c', '#98df8a', '#d62728', '#ff9896', '#9467bd', '#c5b0d5',
    '#8c564b', '#c49c94', '#e377c2', '#f7b6d2', '#7f7f7f', '#c7c7c7', '#bcbd22', '#dbdb8d', '#17becf', '#9edae5'];
  var NONE = '#9e9e9e';
  var W = 800, H = 560, PAD = 18, MIN_ZOOM = 0.5, MAX_ZOOM = 500;

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
    for (i = 0; i < n; i++) {
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

    // one transform on the group instead of moving every point: zooming costs the same for 100 or 10,000 points;
    // the radius is divided by the zoom (CSS) so points keep their size on screen
    function render() {
      pending = false;
      layer.setAttribute('transform', 'translate(' + view.tx.toFixed(3) + ' ' + view.ty.toFixed(3) + ') scale(' + view.k.toPrecision(6) + ')');
      svg.style.setProperty('--k', view.k.toPrecision(6));
      svg.setAttribute('data-zoom', view.k.toFixed(4));
    }
    function schedule() {
      if (!pending) { pending = true; window.requestAnimationFrame(render); }
    }

    function recolour() {
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
      if (hoverIndex >= 0) circles[hoverIndex].classList.remove('hover');
      hoverIndex = -1;
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
        if (hoverIndex >= 0) circles[hoverIndex].classList.remove('hover');
        hoverIndex = j;
        circles[j].classList.add('hover');
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
      var t = e.target;
      if (t && t.classList && t.classList.contains('pt')) showTip(Number(t.getAttribute('data-index')), e);
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
      view: function () { return { k: view.k, tx: view.tx, ty: view.ty }; },
      reset: reset,
      screenPoints: function () {
        var out = [];
        for (var j = 0; j < n; j++) {
          var b = circles[j].getBoundingClientRect();
          out.push({ index: j, row: data.row[j], label: data.label[j] >= 0 ? data.classes[data.label[j]] : null,
            x: b.left + b.width / 2, y: b.top + b.height / 2, visible: !circles[j].classList.contains('off') });
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
