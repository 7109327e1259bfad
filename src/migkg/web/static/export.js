// Export a chart drawn as SVG: the SVG itself, or a PNG drawn from it on a canvas (all in the browser).
(function () {
  "use strict";
  function serialise(svg) {
    const copy = svg.cloneNode(true);
    copy.setAttribute("xmlns", "http://www.w3.org/2000/svg");
    copy.setAttribute("xmlns:xlink", "http://www.w3.org/1999/xlink");
    const box = svg.viewBox.baseVal;
    if (box && box.width) {
      copy.setAttribute("width", box.width);
      copy.setAttribute("height", box.height);
    }
    return new XMLSerializer().serializeToString(copy);
  }
  function download(blob, name) {
    const url = URL.createObjectURL(blob);
    const a = document.createElement("a");
    a.href = url; a.download = name;
    document.body.appendChild(a); a.click(); a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }
  function png(svg, name) {
    const text = serialise(svg);
    const box = svg.viewBox.baseVal;
    const scale = 2;
    const image = new Image();
    image.onload = function () {
      const canvas = document.createElement("canvas");
      canvas.width = box.width * scale; canvas.height = box.height * scale;
      const context = canvas.getContext("2d");
      context.fillStyle = "#ffffff"; context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      canvas.toBlob(function (blob) { download(blob, name); }, "image/png");
    };
    image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(text);
  }
  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-svg], [data-png]");
    if (!button) return;
    const svg = document.querySelector(button.dataset.svg || button.dataset.png);
    if (!svg) return;
    if (button.dataset.svg) {
      download(new Blob([serialise(svg)], { type: "image/svg+xml" }), button.dataset.name);
    } else {
      png(svg, button.dataset.name);
    }
  });
  window.migkgExport = { serialise: serialise };
})();
