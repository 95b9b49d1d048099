namespace Exporters.Hosting.BrowserTests;

/// <summary>Checks run inside the page, on what the browser computed.</summary>
public static class PageChecks
{
    /// <summary>
    /// WCAG 2 contrast of every visible text against the background it is drawn on (4.5:1, 3:1 for large text), and of
    /// the chart's bars and marks against theirs (3:1 for graphics). Returns one line per failure.
    /// </summary>
    public const string Contrast = """
        () => {
          const parse = c => {
            const m = /rgba?\(([^)]+)\)/.exec(c);
            if (!m) return null;
            const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
            return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
          };
          const channel = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
          const luminance = c => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
          const ratio = (a, b) => { const x = luminance(a), y = luminance(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
          const background = element => {
            for (let e = element; e; e = e.parentElement) {
              const c = parse(getComputedStyle(e).backgroundColor);
              if (c && c.a > 0) return c;
            }
            return parse(getComputedStyle(document.documentElement).backgroundColor) || { r: 255, g: 255, b: 255, a: 1 };
          };
          const failures = [];
          const seen = new Set();
          const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
          while (walker.nextNode()) {
            const node = walker.currentNode;
            const element = node.parentElement;
            if (!node.textContent.trim() || seen.has(element) || element.closest('svg')) continue;
            seen.add(element);
            const box = element.getBoundingClientRect();
            const style = getComputedStyle(element);
            if (box.width <= 1 || box.height <= 1 || style.visibility === 'hidden') continue;
            const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight, 10) >= 700;
            const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
            const measured = ratio(parse(style.color), background(element));
            if (measured < needed) failures.push(`text "${node.textContent.trim().slice(0, 50)}" (${element.tagName.toLowerCase()}.${element.className}): ${measured.toFixed(2)} < ${needed}`);
          }
          for (const path of document.querySelectorAll('svg path[class^="bar-"], svg path[class^="mark-"]')) {
            const measured = ratio(parse(getComputedStyle(path).fill), background(path.closest('svg')));
            if (measured < 3) failures.push(`chart ${path.getAttribute('class')}: ${measured.toFixed(2)} < 3`);
          }
          return failures;
        }
        """;

    /// <summary>How far the page is wider than the viewport, in CSS pixels (0 when nothing scrolls sideways).</summary>
    public const string HorizontalOverflow = "() => document.documentElement.scrollWidth - window.innerWidth";

    /// <summary>How long the browser took from the request to the load event, in milliseconds, and how long the server took to answer.</summary>
    public const string LoadTiming = """
        () => {
          const n = performance.getEntriesByType('navigation')[0];
          return [n.loadEventEnd - n.startTime, n.responseStart - n.requestStart];
        }
        """;
}
