// One upload to the editor's media endpoint, shared by the Markdown editor (editor.js) and the block
// editor (blocks.js): the progress bar and status line of the page that asked, and its messages (t).
window.KS_UPLOAD = function (url, token, form, bar, out, t, done) {
  var xhr = new XMLHttpRequest();
  xhr.open("POST", url);
  xhr.setRequestHeader("X-CSRFToken", token);
  xhr.upload.addEventListener("progress", function (e) {
    if (e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); out.textContent = t("uploading", { percent: bar.value }); }
  });
  xhr.addEventListener("load", function () {
    var data = {};
    try { data = JSON.parse(xhr.responseText); } catch (e) { data = { error: "HTTP " + xhr.status }; }
    bar.hidden = true;
    if (xhr.status !== 200) { out.textContent = t("notUploaded", { error: data.error || xhr.status }); return; }
    done(data);
  });
  xhr.addEventListener("error", function () { bar.hidden = true; out.textContent = t("unreachableUpload"); });
  bar.hidden = false; bar.value = 0;
  xhr.send(form);
};
