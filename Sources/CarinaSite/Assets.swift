import Foundation

/// The site's stylesheet and script (no network, no library).
enum Assets {
    static func write(to output: String) throws {
        try Data(css.utf8).write(to: URL(fileURLWithPath: output + "/site.css"))
        try Data(js.utf8).write(to: URL(fileURLWithPath: output + "/site.js"))
    }

    static let css = """
        body { font: 14px/1.45 system-ui, sans-serif; margin: 16px 24px; color: #1d232a; background: #fafafa; }
        h1 { font-size: 20px; margin: 4px 0 10px; word-break: break-all; } h2 { font-size: 16px; margin: 18px 0 8px; }
        a { color: #1d5fb4; text-decoration: none; } a:hover { text-decoration: underline; }
        table { border-collapse: collapse; margin: 6px 0 12px; background: #fff; }
        th, td { border: 1px solid #dde1e6; padding: 2px 8px; text-align: left; vertical-align: top; }
        th { background: #f0f2f5; font-weight: 600; } caption { text-align: left; padding: 2px 0; }
        .tally td { text-align: right; } .tally .total { font-weight: 600; }
        .facets div { margin: 3px 0; } .facets a { display: inline-block; margin: 1px 3px; padding: 0 6px;
          border: 1px solid #cdd3da; border-radius: 10px; background: #fff; }
        .n { color: #68717d; font-size: 12px; }
        .pager { margin: 8px 0; } .pager a, .pager b { padding: 0 4px; }
        .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 8px; }
        .cell { display: block; background: #fff; border: 1px solid #dde1e6; border-radius: 4px; overflow: hidden; color: inherit; }
        .cell img { display: block; width: 100%; height: 150px; object-fit: contain; background: #000; }
        .cell .cap { display: block; padding: 3px 5px; font-size: 11px; line-height: 1.3; }
        .noimage, .problem { background: #fde8e8; color: #9b1c1c; padding: 8px; }
        .noimage { height: 134px; }
        .top { display: flex; gap: 18px; align-items: flex-start; flex-wrap: wrap; }
        figure { margin: 0; } figure img { max-width: 560px; max-height: 620px; background: #000; display: block; }
        figcaption { font-size: 12px; color: #555; }
        .labels td { min-width: 70px; } .l-positive td { background: #fbd5d5; } .l-negative td { background: #def7ec; }
        .l-uncertain td { background: #fdf6b2; } .l-blank td { color: #9aa1a9; }
        .report { position: relative; max-width: 980px; margin-top: 14px; }
        #arcs { position: absolute; left: 0; top: 0; pointer-events: none; overflow: visible; z-index: 2; }
        .section { border-left: 6px solid; padding: 2px 10px 2px 10px; margin: 8px 0; background: #fff; }
        .section p { margin: 4px 0; padding-top: 14px; line-height: 2.6; white-space: pre-wrap; }
        .section-name { font-weight: 700; font-size: 12px; letter-spacing: .04em; }
        .rule { font-weight: 400; color: #68717d; margin-left: 6px; }
        .s0 { border-color: #3f83f8; } .s1 { border-color: #0e9f6e; } .s2 { border-color: #c27803; }
        .s3 { border-color: #9061f9; } .s4 { border-color: #e74694; } .s5 { border-color: #0694a2; }
        .s0 .section-name { color: #1a56db; } .s1 .section-name { color: #046c4e; } .s2 .section-name { color: #8e4b10; }
        .s3 .section-name { color: #6c2bd9; } .s4 .section-name { color: #bf125d; } .s5 .section-name { color: #036672; }
        .ent { padding: 1px 2px; border-radius: 3px; border-bottom: 3px solid; }
        .k-anatomy { background: #e1effe; border-color: #3f83f8; }
        .k-observation { background: #fde8e8; border-color: #e02424; }
        .k-device { background: #edebfe; border-color: #7e3af2; }
        .k-observation.c-absent { background: #def7ec; border-color: #0e9f6e; text-decoration: line-through; }
        .k-observation.c-uncertain { background: #fdf6b2; border-color: #c27803; border-bottom-style: dashed; }
        .arc { fill: none; stroke-width: 1.6; } .arc.located_at { stroke: #1a56db; }
        .arc.modify { stroke: #6b7280; stroke-dasharray: 4 3; } .arc.suggestive_of { stroke: #c81e1e; }
        .r-located_at { color: #1a56db; } .r-modify { color: #6b7280; } .r-suggestive_of { color: #c81e1e; }
        .raw { white-space: pre-wrap; background: #fff; border: 1px solid #dde1e6; padding: 8px; max-width: 980px; }
        details { margin: 10px 0; } summary { cursor: pointer; font-weight: 600; }
        """

    static let js = """
        (function () {
          var body = document.body;
          var img = document.getElementById('image');
          if (img) {
            var done = function () {
              body.dataset.image = img.naturalWidth > 0 ? img.naturalWidth + 'x' + img.naturalHeight : 'broken';
            };
            if (img.complete) done(); else { img.addEventListener('load', done); img.addEventListener('error', done); }
          }
          var data = document.getElementById('relations');
          var report = document.getElementById('report');
          var svg = document.getElementById('arcs');
          if (!data || !report || !svg) return;
          var relations = JSON.parse(data.textContent);
          var ns = 'http://www.w3.org/2000/svg';
          function draw() {
            while (svg.firstChild) svg.removeChild(svg.firstChild);
            var defs = document.createElementNS(ns, 'defs');
            ['located_at', 'modify', 'suggestive_of'].forEach(function (kind) {
              var m = document.createElementNS(ns, 'marker');
              m.setAttribute('id', 'arrow-' + kind); m.setAttribute('viewBox', '0 0 8 8');
              m.setAttribute('refX', '7'); m.setAttribute('refY', '4');
              m.setAttribute('markerWidth', '6'); m.setAttribute('markerHeight', '6'); m.setAttribute('orient', 'auto');
              var p = document.createElementNS(ns, 'path');
              p.setAttribute('d', 'M0,0 L8,4 L0,8 z'); p.setAttribute('class', 'arc ' + kind);
              p.style.fill = getComputedStyle(p).stroke; m.appendChild(p); defs.appendChild(m);
            });
            svg.appendChild(defs);
            var box = report.getBoundingClientRect();
            svg.setAttribute('width', report.scrollWidth); svg.setAttribute('height', report.scrollHeight);
            var drawn = 0;
            relations.forEach(function (r) {
              var a = report.querySelector('mark[data-entity="' + r[0] + '"]');
              var b = report.querySelector('mark[data-entity="' + r[1] + '"]');
              if (!a || !b) return;
              var ra = a.getClientRects()[0], rb = b.getClientRects()[0];
              var x1 = ra.left + ra.width / 2 - box.left, y1 = ra.top - box.top;
              var x2 = rb.left + rb.width / 2 - box.left, y2 = rb.top - box.top;
              var lift = 10 + Math.min(26, Math.abs(x2 - x1) * 0.12);
              var path = document.createElementNS(ns, 'path');
              path.setAttribute('d', 'M' + x1 + ',' + y1 + ' C' + x1 + ',' + (y1 - lift) + ' ' + x2 + ',' + (y2 - lift) +
                ' ' + x2 + ',' + y2);
              path.setAttribute('class', 'arc ' + r[2]);
              path.setAttribute('data-head', r[0]); path.setAttribute('data-tail', r[1]);
              path.setAttribute('marker-end', 'url(#arrow-' + r[2] + ')');
              var title = document.createElementNS(ns, 'title');
              title.textContent = a.textContent + ' \\u2192 ' + r[2] + ' \\u2192 ' + b.textContent;
              path.appendChild(title); svg.appendChild(path); drawn++;
            });
            body.dataset.relationsDrawn = drawn;
          }
          draw();
          window.addEventListener('resize', draw);
        })();
        """
}
