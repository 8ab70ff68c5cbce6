// Progressive enhancement for the upload form: show upload progress for large files.
// Without JavaScript the form posts normally.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  var bar = document.getElementById("upload-progress");
  if (!form || !bar || !window.XMLHttpRequest || !window.FormData) {
    return;
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    bar.hidden = false;
    request.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        bar.value = Math.round((100 * e.loaded) / e.total);
      }
    });
    request.addEventListener("load", function () {
      var redirected = request.responseURL && request.responseURL.indexOf("/admin/imports/uploads/") !== -1;
      if (request.status === 200 && redirected) {
        window.location.assign(request.responseURL);
      } else {
        // An error page (e.g. the file is too large): show it as the server wrote it.
        document.documentElement.innerHTML = request.responseText;
      }
    });
    request.addEventListener("error", function () {
      bar.hidden = true;
      form.submit();
    });
    request.send(new FormData(form));
  });
})();
