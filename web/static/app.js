// Small comforts; every page works without this file.
(function () {
  "use strict";

  // The sort menu applies itself; its button is only needed without script.
  document.querySelectorAll("select.autosubmit").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  document.querySelectorAll(".js-hide").forEach(function (element) { element.hidden = true; });

  // "/" jumps to the search box, as in most search products.
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
    if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      var box = document.querySelector(".searchbox input[name=q]");
      if (box) {
        event.preventDefault();
        box.focus();
        box.select();
      }
    }
  });

  // "Back to search" returns to the very search the reader came from, when there is one.
  document.querySelectorAll("a.back").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (document.referrer && new URL(document.referrer).origin === location.origin && history.length > 1) {
        event.preventDefault();
        history.back();
      }
    });
  });
})();
