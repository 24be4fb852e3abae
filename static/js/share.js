// Progressive enhancement of the article's 复制链接 control: without this file it is a plain link to the article.
(function () {
  "use strict";
  var links = document.querySelectorAll("a[data-copy-link]");
  if (!links.length || !navigator.clipboard) {
    return;
  }
  Array.prototype.forEach.call(links, function (link) {
    var status = document.getElementById(link.getAttribute("data-status"));
    link.addEventListener("click", function (event) {
      event.preventDefault();
      navigator.clipboard.writeText(link.href).then(
        function () {
          if (status) {
            status.textContent = "链接已复制";
          }
        },
        function () {
          window.location.href = link.href;
        }
      );
    });
  });
})();
