// Signed links, checked by nginx itself (STUDIO_FRONT=nginx): the same signature the studio makes
// and checks (videos/access/links.py), so a good link's file is sent without asking the studio.
// The keys and the refusals' JSON come from the configuration (serving/front.py, js_var).
var crypto = require('crypto');
var LINK = /^\/links\/(video|thumbnail|spritesheet)\/([0-9]+)\/([A-Za-z0-9_-]+)\/((videos|thumbnails|spritesheets)\/[A-Za-z0-9_.-]+\.(mp4|jpg))$/;

function refuse(r, status, body) {
    r.headersOut['Content-Type'] = 'application/json';
    r.return(status, body);
}

function serve(r) {
    var m = r.uri.match(LINK);
    if (!m) {
        return refuse(r, 403, r.variables.studio_link_invalid);
    }
    var message = m[1] + '\n' + m[2] + '\n' + m[4];
    var keys = r.variables.studio_link_keys.split(' ').map(function (hex) { return Buffer.from(hex, 'hex'); });
    var good = false;
    for (var i = 0; i < keys.length; i++) {
        if (crypto.createHmac('sha256', keys[i]).update(message).digest('base64url') === m[3]) {
            good = true;
        }
    }
    if (!good) {
        return refuse(r, 403, r.variables.studio_link_invalid);
    }
    if (Number(m[2]) <= Date.now() / 1000) {
        return refuse(r, 410, r.variables.studio_link_expired);
    }
    r.internalRedirect('/_studio_media/' + m[4]);
}

export default { serve };
