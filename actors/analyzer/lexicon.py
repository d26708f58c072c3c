"""The vocabulary the prompt analyzer reads, kept as plain data so it can grow without touching the logic.

Phrases are written the way people type them, comma-separated inside `phrases(...)`. Hyphens and spaces are
interchangeable when matching ("close-up" also matches "close up"), and every phrase is matched as whole words,
longest first, so "dramatic lighting" wins over "dramatic", "three-quarter length" (a framing) wins over
"three-quarter" (an angle) and "in front of the museum" (outside) wins over "museum" (inside).

Each cue carries a strength. When a prompt cues several values of one field, the strongest cue decides:
an explicit category word ("close-up", "side view", "dramatic") beats a synonym ("headshot", "profile",
"moody", "sprinting", "kitchen"), which beats a weak hint ("portrait", "face", "dancing", "window").

Film crews abbreviate (MS, CU, OTS). An abbreviation written in capitals here only counts when the prompt
writes it in capitals too, so "ms" in "ms. smith" is not a medium shot.

Some phrase families are spelled out from parts with `combine(...)` ("looking straight into the camera",
"turned her head slightly", "from head to toe"): the parts are plain alternatives, not patterns, so the
table stays a plain phrase table.

Choices made where the vocabulary is ambiguous (tests/data/prompts.tsv states the same conventions):
- "medium close-up", chest-up, bust and "portrait" count as close-up: they frame head and shoulders, and a
  reference chosen for them must show the face in detail, which is what a close-up reference offers.
- "three-quarter length" / "3/4 shot" (knees up), cowboy and American shots count as medium, whereas
  "three-quarter" alone, "3/4 view", half-profile and "turned slightly" are the 45-degree angle.
- "over the shoulder" and "walking away" count as back: the camera sees the subject's back.
- Camera height and tilt (low angle, dutch angle, worm's-eye) say nothing about which side of the subject is
  seen; a bird's-eye or aerial view is a wide framing.
- "no background" / "without a background" / "transparent background" count as studio: they ask for an
  isolated subject on a plain ground, which is what a studio reference shows. They are phrases, so the
  "no" inside them is not read as a negator.
- Standing and sitting fix neither the framing nor the mood; "standing pose" (a model sheet term) is full-body.
- "landscape" is a wide framing (synonym) and a weak outdoor hint; "landscape format" is neither.
"""

import itertools
import re
from typing import Final

from contracts.model import Angle, Mood, Setting, ShotType

EXPLICIT: Final = 3
SYNONYM: Final = 2
WEAK: Final = 1

STRENGTHS: Final = (EXPLICIT, SYNONYM, WEAK)

# How many words after a negator it still reaches ("not a very dramatic" is three words).
NEGATION_WINDOW_WORDS: Final = 3

_SPACES: Final = re.compile(r"\s+")


def phrases(text: str) -> tuple[str, ...]:
    """Comma-separated phrases, in order; a phrase may run over a line break."""
    return tuple(phrase for part in text.split(",") if (phrase := _SPACES.sub(" ", part).strip()))


def combine(*parts: str) -> tuple[str, ...]:
    """Every phrase made by taking one alternative from each part; a part's alternatives are split on "|",
    and an empty alternative makes the part optional: combine("looking|staring", "|straight", "at the camera")."""
    choices = [part.split("|") for part in parts]
    return tuple(" ".join(word for word in chosen if word) for chosen in itertools.product(*choices))


_VOWELS: Final = "aeiou"


def _inflect(verb: str) -> tuple[str, ...]:
    """A verb's base, -s, -ing and -ed forms; "jog+" doubles the last consonant (jogging, jogged)."""
    doubled = verb.endswith("+")
    verb = verb.removesuffix("+")
    stem = verb + verb[-1] if doubled else verb
    consonant_y = len(verb) > 1 and verb.endswith("y") and verb[-2] not in _VOWELS
    if verb.endswith(("s", "x", "z", "ch", "sh")):
        third = verb + "es"
    elif consonant_y:
        third = verb[:-1] + "ies"
    else:
        third = verb + "s"
    if verb.endswith("ie"):
        ing = verb[:-2] + "ying"
    elif verb.endswith("e") and not verb.endswith(("ee", "ye", "oe")):
        ing = verb[:-1] + "ing"
    else:
        ing = stem + "ing"
    if verb.endswith("e"):
        past = verb + "d"
    elif consonant_y:
        past = verb[:-1] + "ied"
    else:
        past = stem + "ed"
    return (verb, third, ing, past)


def verb_forms(text: str) -> tuple[str, ...]:
    """Comma-separated verb phrases, each with its first word in every simple inflection: "burst through" gives
    "bursts through", "bursting through", ... Irregular forms follow "|" as whole phrases, taken as written
    ("fight|fought", "run+ at|ran at"). The forms are spelled out here, not guessed from the prompt, so "waving" can
    never be read as "wave" (the sea); a unit test checks that no generated form is a cue of another field."""
    forms: list[str] = []
    for phrase in phrases(text):
        regular, *irregular = phrase.split("|")
        head, _, rest = regular.partition(" ")
        forms.extend(f"{word} {rest}".strip() for word in _inflect(head))
        forms.extend(irregular)
    return tuple(dict.fromkeys(forms))


def is_abbreviation(phrase: str) -> bool:
    """A phrase written in capitals in the lexicon (MS, CU, OTS): it only counts when typed in capitals."""
    return phrase.isupper() and phrase.isalpha() and len(phrase) <= 4


# Who or what a phrase can point at, reused across families.
_CAMERA: Final = (
    "the camera|camera|the viewer|viewer|the viewers|us|you|me|the lens|lens|the audience|the spectator|the player"
    "|player|the reader|the onlooker|the observer|the photographer|the spectators"
)
_PERSON: Final = "her|his|their|the character's|the subject's"
_FEET: Final = (
    "the slippers|her slippers|his slippers|the sandals|"
    "hooves|its hooves|the hooves|paws|its paws|the paws|tail|tail tip|its tail|the tail|the tail tip|claws|feet"
    "|base|the base|its base|socks|his socks|her socks|the floor|talons|webbed feet"
    "|sandals|her sandals|his sandals|slippers|the hem|hem|her hem|the bottom of her dress|the bottom of her frock"
    "|the bottom of his robe|the bottom of her gown|shoes n all|the shoes|toe|toes|feet|the feet|her feet|his feet"
    "|their feet|foot|shoes|her shoes|his shoes|the shoes|boots|her boots"
    "|his boots|their boots|the boots|heels|her heels|his heels|heel|sneakers|her sneakers|his sneakers|ankles|soles"
    "|the soles|her toes|his toes|the toes|the ground|the floor"
)
_HEAD: Final = (
    "wig|her wig|his wig|veil|her veil|the top of her veil|topknot|his topknot|ears|her ears|his ears|horns|hood"
    "|sunhat|her sunhat|his sunhat|cap|his cap|her cap|bonnet|her bonnet"
    "|beak|its beak|the beak|tiara|the tiara|her tiara|snout|its ears|antlers|the antlers|the ears|spear tip"
    "|head|her head|his head|their head|the head|hat|her hat|his hat|top|top of her head|top of his head"
    "|top of the head|crown|the crown|the crown of her head|the crown of his head|hair|her hair|his hair|helmet"
)
_TURN: Final = "turned|turning|turns|turn|rotate|rotates|angled|angling|rotated|rotating|twisted|twisting|shifted"
_SLIGHTLY: Final = (
    "slightly|a bit|a little|a little bit|partly|partially|somewhat|halfway|a touch|little bit|a tad|a fraction"
    "|just a bit|just a little|ever so slightly|a few degrees"
)
_BODY: Final = (
    "|him|her|them|her head|his head|their head|the head|her body|his body|their body|the body|her torso|his torso"
)
_BUILDINGS: Final = (
    "terminal|terminal entrance|clock tower|university|college|airport|precinct|police station|fire station"
    "|gothic manor|manor|warehouse|hospital|abandoned hospital|flagship store|new store|mall|arena|"
    "house|museum|castle|church|cathedral|school|station|train station|building|shop|store|palace|temple|tower"
    "|gate|gates|front door|cafe|café|restaurant|tavern|inn|library|hospital|mansion|cottage|cabin|bakery"
    "|hotel|theater|theatre|stadium|bank|city hall|barn|lighthouse|monument|fountain|statue|shrine"
)
_DETERMINER: Final = "|the|a|an|his|her|their|our|its|that|this"
_PLAIN: Final = (
    "plain|white|black|grey|gray|solid|simple|blank|neutral|flat|clean|light|dark|coloured|colored|colour|color"
    "|single-colour|single-color|solid-colour|solid-color|transparent|empty|pastel|beige|cream|off-white|teal"
    "|lavender|mustard|paper-white|pastel pink|pastel blue|mint-green|magenta|navy|cyan|lilac|mint|peach|coral"
    "|turquoise|olive|maroon|crimson|ivory|charcoal"
    "|gold|silver|tan|khaki|sage|violet|indigo|brown|aqua|sky blue|baby blue|pale|muted|warm grey|cool grey"
    "|light grey|light gray|dark grey|dark gray|mid grey|mid gray|blue|red|green|pink|yellow|orange|purple"
    "|gradient|minimal|minimalist|uniform|studio|paper|seamless|seamless white|seamless grey|seamless gray"
)
_GROUND: Final = (
    "background|backdrop|bg|back drop|backround|backing|ground|drop|cloth|cyc|sweep|background colour"
    "|background color|bg colour|bg color|key colour|key color"
)
# Body parts a crop line is drawn at, by the shot type the crop makes ("cropped at the knees" is medium).
_CLOSE_CROP_PARTS: Final = (
    "collarbone|collarbones|the collarbone|the collarbones|shoulders|the shoulders|chin|the chin|neck|the neck"
    "|chest|the chest|bust|the bust|her collarbone|his collarbone|her shoulders|his shoulders|her chest|his chest"
)
_MEDIUM_CROP_PARTS: Final = (
    "waist|the waist|belt|the belt|hips|the hips|hip|the hip|knees|the knees|knee|the knee|thighs|the thighs"
    "|thigh|the thigh|mid-thigh|the mid-thigh|navel|the navel|belly|the belly|tummy|the tummy|stomach|the stomach"
    "|her waist|his waist|her hips|his hips|her knees|his knees|his belt|her belt|the belt line|the beltline"
)
_CROP: Final = (
    "crop|crop it|crop her|crop him|cropped|cropping|crops|cut|cut off|cuts off|cutting|cut her|cut him|framed|frame"
    "|frame her|frame him|end|ends|ending|stop|stops|stopping"
)
_CROP_LINE: Final = "at|above|below|just above|just below|around|right at|mid|to|off at|at about"
# What a writer calls the picture when saying how big something is in it.
_PICTURE: Final = "picture|frame|shot|panel|image|page|scene|composition|poster|photo|sheet|drawing|painting|canvas"


def asked_for(moods: str) -> tuple[str, ...]:
    """A mood asked for in so many words ("make it tense", "keep it cozy"): as strong as the category word, so
    it overrides what it corrects ("calm? no, make it tense")."""
    return combine(
        "make it|keep it|make it feel|keep it feeling|it should feel|it should be|should feel|make this|make the scene",
        "|very|more|really|nice and|super|so|a bit|a little",
        moods,
    )


# Action verbs in every simple inflection ("sprint", "sprints", "sprinting", "sprinted"): forms are spelled out
# here rather than stemmed from the prompt, so no prompt word is read as a different word of another field.
ACTION_VERB_FORMS: Final = verb_forms(
    """sprint, race, charge, leap|leapt, jump, hop+, hurdle, lunge, pounce, tackle, kick, punch,
        strike|struck, slash, stab+, hurl, fling|flung, fight|fought, brawl, wrestle, grapple, tussle, scuffle,
        spar+, shadowbox, duel, joust, battle, attack, ambush, raid, chase, pursue, flee|fled, escape, dodge,
        plunge, plummet, tumble, somersault, cartwheel, spin+|spun, twirl, whirl, race down, race through,
        hurtle, careen, gallop, stampede, clamber, swim+|swam|swum, paddle hard, pedal hard, burst
        through, crash through, smash through, break through|broke through, kick down, leap over, jump over,
        vault over, fire at, blast, mosh, headbang, breakdance, thrash, struggle against, charge at, run+ at|ran
        at, run+ toward|ran toward, run+ towards|ran towards, run+ through|ran through, run+ across|ran across,
        run+ from|ran from, carve down, carve through, bomb+ down, tear down the slope|tore down the slope, hunt
        down, pummel, pound on, hammer on, pound the heavy bag, hit+ the heavy bag, trade blows, exchange blows,
        storm into, smash, crash into, sprint across, dart+, scurry, hurry across"""
)

_TOWARD: Final = "toward|towards|at|straight at|right at|straight toward|straight towards|directly at|directly toward"
_TOWARD_TARGET: Final = _CAMERA + "|cam|the screen|screen|u|the crowd|the reader|the house"
# Energetic movement toward the camera: the angle is front and the mood is action ("sprinting at camera").
TOWARD_CAMERA_ACTION: Final = combine(
    "running|runs|sprinting|sprints|charging|charges|punching|punches|lunging|lunges|cartwheels|cartwheeling"
    "|skating|skates|dashing|dashes|racing|races|leaping|leaps|jumping|jumps|diving|dives|swinging|swings|kicking"
    "|kicks|firing|fires|shooting|shoots|rushing|rushes|hurtling|hurtles|flying|flies|galloping|gallops|dancing",
    _TOWARD,
    _TOWARD_TARGET,
)

SHOT_TYPE_VOCABULARY: Final[dict[ShotType, dict[int, tuple[str, ...]]]] = {
    "close-up": {
        EXPLICIT: phrases(
            """close-up, closeup, close-up shot, closeup shot, extreme close-up, extreme closeup, medium close-up,
            CU, ECU, MCU, XCU, BCU"""
        ),
        SYNONYM: phrases(
            """headshot, head shot, head-and-shoulders, head and shoulders, bust, bust shot, bust portrait, mugshot,
            mug shot, macro, macro shot, macro on, tight shot, tight on, close on, close shot, close framing,
            tight framing, tight crop, tightly framed, tightly cropped, face close-up, shoulders up, from the
            shoulders up, neck up, from the neck up, chest up, chest-up, from the chest up, zoom in, zoom in on,
            zoomed in, zooming in, zoomed-in, push in, push in to, punch in, up close, close to the camera, close
            to camera, close to the lens, just her face, just his face, just the face, only her face, only his
            face, only the face, face only, the face only, her face only, his face only, eye detail, eyes detail,
            detail of, a detail of, close crop, close-cropped, closely cropped, cropped tight, cropped close, crop on,
            tight single, tight in on, in tight, in close, move in close, close in on, face big, big face, shoulders
            and head, head and neck, bust-level, bust level, bust crop, just her eyes, just his eyes, just the eyes,
            only her eyes, only his eyes, only the eyes, nothing but her eyes, nothing but his eyes, nothing but her
            face, nothing but his face, from the chest, chest and head, face filling the frame, insert shot,
            detail shot, beauty shot, profile picture, profile pic, profile photo, pfp, passport photo,
            passport-style photo, passport style photo, id photo, id card photo, id picture, tight headshot,
            tight profile, close profile, tight profile shot, close profile shot, expression sheet, face detail,
            face shot, insert, headshots, head shots, close-ups, closeups, close-up shots, mugshots, mug shots,
            bust shots, tight shots, close shots, insert shots, detail shots, beauty shots, extreme close-ups,
            nothing else in frame, nothing else in the frame, nothing else in shot, back of her head and shoulders,
            back of his head and shoulders, back of the head and shoulders"""
        )
        + phrases(
            """just the head, just her head, just his head, only the head, only her head, only his head, head only,
            the head only, collarbones up, collarbone up, from the collarbones up, from the collarbone up, face and
            shoulders, her face and shoulders, his face and shoulders, face set, faceset, facesets, emote, emotes,
            emoji portrait, sticker head, chibi head, head sticker, extreme close, close as you can, as close as you
            can, closest possible, face up shot, face is big, face big in the picture, face large, big face shot,
            her face alone, his face alone, the face alone, face alone, primer plano, primerissimo primo piano,
            gros plan, nahaufnahme, tight on the face, tight on her face, tight on his face, close on her face, close
            on his face, head study, study of the head, portrait crop, face crop, icon portrait, avatar crop,
            shoulders and up, shoulder up, shoulder-up, from the shoulders, head-and-shoulders likeness, face
            portrait, face closeup, face close up, pull in to her face, pull in to his face, push in to her face, push
            in to his face, pull in on her face, push in on her face, in to her face, in to his face"""
        )
        + combine(_CROP, _CROP_LINE, _CLOSE_CROP_PARTS)
        + combine(
            "her face|his face|the face|her head|his head|the head|their faces|face|head",
            "fills|filling|fill|fills up|takes up|taking up|covers|covering",
            "the|the whole|the entire|most of the|all of the",
            _PICTURE,
        )
        + combine(
            "filling|fills|fill|filled|filling up|fills up",
            "the|the whole|the entire|all of the",
            "frame|picture|image|shot|panel|page|screen",
        ),
        WEAK: phrases("portrait, facial expression, selfie, self-portrait, portraits"),
    },
    "medium": {
        EXPLICIT: phrases("medium, medium shot, mid shot, mid-shot, midshot, medium view, medium framing, MS, MCS"),
        SYNONYM: phrases(
            """waist-up, waist up, from the waist up, waist-up shot, waist high, waist-high, hips up, hip up,
            hip-up, from the hips up, from the hip up, half body, half-body, half-length, half length, half-body
            shot, upper body, upper-body, upper-body shot, upper half, top half, cowboy shot, american shot,
            knee shot, knees up, from the knees up, knee up, knee-up, thigh up, thigh-up, thighs up, from the
            thighs up, mid-thigh, three-quarter length, three-quarter shot, three-quarter body, 3/4 length,
            3/4 shot, 3/4 body, medium full shot, medium wide shot, mid-length, cropped at the waist, to the
            waist, MFS, half figure, half-figure, waist level, waist-level, waist-level framing, waist level
            framing, waist-high framing, waist high framing, belt up, belt-up, from the belt up, navel up, from the
            navel up, belly up, stomach up, from the stomach up, hip-level, hip level, thigh-level, knee-level, knee
            level, from the mid-thigh up, cut at the waist, cut off at the waist, framed at the waist, half the
            body"""
        )
        + phrases(
            """waist shot, hip shot, knee-high framing, knee high framing, knee-high, tummy up, from the tummy up,
            belly up, from the belly up, to the hips, to the knees, to the thighs, up to the hips, upto hips, upto
            the hips, up to the waist, upto waist, down to the waist, down to the hips, down to the knees, mid-thigh
            up, mid thigh up, above the knees, above the knee, top half, the top half, upper half of the body, half
            body image, half-body image, medium two-shot, two-shot, 2-shot, med shot, MED, MID, plano medio, plano
            americano, halbtotale, halbnah, american framing, cowboy framing, waist-up framing, waist up framing, from
            the waist, from the hips, from the knees, hip-high, hip high, hip-high framing, hip high framing, hips-up,
            hips up crop, cowboy-style, cowboy style, cowboy-style framing, cowboy style framing"""
        )
        + combine(_CROP, _CROP_LINE, _MEDIUM_CROP_PARTS)
        + combine(
            "from the|", "waist|belt|hips|hip|knees|knee|thighs|thigh|belt line|beltline|mid thigh", "upwards|upward"
        ),
        WEAK: phrases("torso"),
    },
    "full-body": {
        EXPLICIT: phrases("full body, full-body, full body shot, full-body shot, full shot, FS"),
        SYNONYM: phrases(
            """full length, full-length, full length shot, full-length portrait, whole body, entire body,
            whole figure, entire figure, the whole figure, full figure, full-figure, standing pose, feet visible,
            shoes visible, boots visible, feet in frame, feet in the frame, full outfit, whole outfit, entire
            outfit, full fit, full costume, everything visible, whole character, entire character, full view,
            shown in full, seen in full, in full view, head-to-toe, t-pose, a-pose"""
        )
        + phrases(
            """every inch of her, every inch of him, all of her, all of him, the whole of her, the whole of him,
            whole silhouette, entire silhouette, full silhouette, whole person, entire person, whole body visible,
            all body, all body visible, whole body in frame, the whole body in frame, whole body in the frame,
            top to toe, top-to-toe, head-to-foot, head to foot, head to heel, crown to heels, crown to toe,
            head until foot, from head until foot"""
        )
        + phrases(
            """full fig, full figs, full bod, full-bod, fullbody, full-body sprite, full bodies, full figures, whole
            bodies, entire bodies, whole bodies visible, entire bodies visible, body complete, complete body, the
            complete body, complete figure, person entire, the person entire, entire in the picture, entire in
            frame, whole costume, the whole costume, whole costume visible, the whole dress, whole dress, the
            whole fit, whole fit, all limbs in frame, all limbs visible, every limb in frame, the whole player,
            the whole person, the whole of the figure, all of it in frame, head to hem, head-to-hem, hat to boots,
            wig to boots, top of her head to her toes, plano entero, plano completo, ganzkörper, ganzkorper,
            zenshin, whole body from, full-length figure, full length figure, all the way down, down to the floor,
            nothing cropped, no cropping, uncropped, not cropped, don't crop, do not crop, nothing cut off, full
            bodyy, fullbodyy, whole mini, entire mini, full model, whole model, entire model, including the base,
            plus base, with the base, whole thing base to, boots and all"""
        )
        + combine(
            "the whole|the entire|whole|entire|show the whole|see the whole|all of the",
            "mini|miniature|model|figure|figurine|cat|dog|goose|animal|creature|orc|mech|robot|doll|toy|statue"
            "|sculpture|puppet|marionette|bear|horse|dragon|knight|warrior|man|woman|girl|boy|kid|player|dancer"
            "|fighter|suit|armour|armor|mascot|costume|outfit",
            "|visible|in frame|in the frame|in shot|plus base|including the base|on its base",
        )
        + combine(
            "from|",
            _HEAD,
            "to|down to|till|until|all the way to|all the way down to",
            _FEET,
        )
        + combine("from|", _FEET, "to|up to|all the way up to", _HEAD)
        + combine("down to|all the way down to|including|include|showing|show", _FEET)
        + combine(_FEET, "visible|in frame|in the frame|included|in shot|in the shot")
        + combine(
            _FEET,
            "and",
            _HEAD,
            "in the same frame|in the same shot|in frame|in the frame|in shot|visible|both visible|both in frame",
        )
        + combine(
            _HEAD,
            "and",
            _FEET,
            "in the same frame|in the same shot|in frame|in the frame|in shot|visible|both visible|both in frame",
        ),
        WEAK: (),
    },
    "wide": {
        EXPLICIT: phrases(
            """wide, wide shot, wide-shot, wide view, extreme wide, extreme wide shot, wide framing, very wide shot,
            WS, EWS, VWS, LS, ELS, XLS"""
        ),
        SYNONYM: phrases(
            """establishing shot, establishing, long shot, extreme long shot, very long shot, wide angle, wide-angle,
            wide-angle shot, landscape, landscape shot, panorama, panoramic, in the distance, far away, far-away,
            far away shot, far shot, distant shot, from afar, from a distance, at a distance, aerial, aerial view,
            aerial shot, drone shot, drone view, bird's eye view, birds eye view, bird's-eye, birds-eye, vista,
            zoomed out, zoom out, zoomed way out, zoom way out, zoomed all the way out, pull back, pulled back,
            pull way back, pulled way back, master shot, full scene, whole scene, entire scene, scene
            overview, tiny figure, small figure, tiny figures, small figures, speck, specks, a speck, a mere speck,
            a dot, a tiny dot, a mere dot, is a dot, dot on the horizon, barely visible, no bigger than, from far away,
            from far, from far off, far-off, far off, from far behind, far behind, from a long way off, a long way
            off, from a great distance, from a long distance, far distance, from far distance, great distance,
            from across the, seen from across, shot from across, tiny silhouette, small silhouette, distant figure,
            distant figures, dwarfed by, environmental shot, environment shot, extreme long, wide of, ultra wide,
            ultra-wide, huge sky, enormous sky, immense sky, sky-dominated, satellite view"""
        )
        + phrases(
            """plano general, gran plano general, totale, very far shot, very far, far back, way back, camera far
            back, from way up, seen from way up, from up high, from high above, from very high, from way above, far
            above, far below, from an aeroplane, from an airplane, from a plane, from a helicopter, from the air,
            from the top row, from the top of the stands, like ants, the size of an ant, a little point, a small
            point, a tiny point, a pinprick, pinprick, a mere figure, ever so small, just a speck, is tiny, are tiny,
            tiny against, tiny in, tiny above, tiny below, tiny beneath, tiny at the, tiny on the, tiny under, small
            against, little against, small in the middle of, tiny in the middle of, lost in the, swallowed by the,
            miniature figure, dwarfed, wide establishing, establishing wide, camera high up, everyone small,
            everyone tiny, far down, far down a, way down the, far out on, far out at sea, far out in"""
        )
        + combine(
            "tiny|small|little|very small|really small|so small|minuscule|very tiny|ever so small|only small",
            "in the|in this|in our|in that|within the",
            _PICTURE,
        )
        + combine("small|tiny|little", "in the bottom corner|in the corner|in the far corner|at the bottom")
        + combine(
            "tiny|small|little|very small|minuscule|dwarfed",
            "in the frame|in frame|in the shot|in the distance|in the landscape|in the scene|against the landscape",
        ),
        WEAK: phrases("distant, vast, sweeping, expansive, scenic, lone figure, immense, dwarfed, minuscule"),
    },
}

ANGLE_VOCABULARY: Final[dict[Angle, dict[int, tuple[str, ...]]]] = {
    "front": {
        EXPLICIT: phrases(
            """front, front view, front-view, frontal, frontal view, from the front, front-facing, front facing,
            front on, front-on, front angle, front shot"""
        ),
        SYNONYM: phrases(
            """facing forward, facing front, faces forward, face forward, straight on, straight-on, head-on,
            head on, face-on, face on, symmetrical, full face, full-face, eye contact, eye contact with the
            viewer, eye contact with the camera, making eye contact, en face, looking straight ahead, facing
            ahead, passport photo, passport-style photo, passport style photo, id photo, id card photo, straight
            to camera, meeting our gaze, meets our gaze, meeting our eyes, meets our eyes, eyes meeting ours, meeting
            the viewer's gaze, meets the viewer's gaze, meeting the viewer's eyes, front facing the camera, squared
            up, squared up to the camera, face to face, face-to-face, nose to the lens"""
        )
        + phrases(
            """facing cam, facing the cam, to cam, toward cam, towards cam, at cam, into cam, down the lens, straight
            down the lens, straight out, staring straight out, facing out, facing outward, facing outwards, square
            to camera, square to the camera, square on, square-on, facing the house, facing the crowd, facing the
            audience, facing the front, facing them, facing us directly, looking at u, looks at u, facing u, at u,
            toward the screen, towards the screen, at the screen, out of the screen, into the screen, looking in
            front, looking to the front, front to the camera, de frente, von vorne, frontal pose, dead-on, dead on,
            straight at us, straight at you, right at us, right at you, head on to camera, facing forwards, faces
            front, facing frontward, talking to camera, speaking to camera, direct address, direct to camera, looking
            forward, looks forward,
            looking at the listener, at the listener, to the listener, facing the listener, waving at the viewer"""
        )
        + TOWARD_CAMERA_ACTION
        + combine(
            "walking|walks|coming|comes|heading|heads|striding|strides|marching|marches|riding|rides|driving|drives"
            "|leaning|reaching|pointing|holding|holds|holding it|floating|floats|drifting|drifts",
            _TOWARD,
            _TOWARD_TARGET,
        )
        + combine(
            "looked|stared|gazed|glared|peered|smiled|faced|locked eyes",
            "|straight|right|directly|straight out|out",
            "|at|into|toward|towards|to|out at|with",
            _CAMERA,
        )
        + combine("straight|directly|dead|right|squarely|square|squared", "toward|towards|into|at|to|on to|on", _CAMERA)
        + combine("eyes|gaze|her eyes|his eyes|her gaze|his gaze|eyes locked|gaze locked", "on|to|at|into", _CAMERA)
        + combine(
            "looking|looks|look|staring|stares|stare|gazing|gazes|gaze|glaring|glares|glare|peering|peers"
            "|smiling|smiles|facing|faces|face|turned|turned toward|turned towards|pointed|aimed|waves|waving"
            "|waved|winks|winking|winked|grins|grinning|smirks|smirking|sings|singing|talking|talks|speaking",
            "|straight|right|directly|direct|straight out|out|down|up|straight down|straight up|right down",
            "|at|into|toward|towards|to|out at",
            _CAMERA,
        ),
        WEAK: phrases("facing us, selfie, selfie vibe"),
    },
    "side": {
        EXPLICIT: phrases("side, side view, side-view, from the side, side angle, side shot, side-on, side on"),
        SYNONYM: phrases(
            """profile, profile view, side profile, in profile, full profile, in full profile, sideways, lateral
            view, lateral, side-facing, side facing, facing sideways, profile shot, tight profile, close profile,
            tight profile shot, close profile shot, pure profile, strict profile, perfect profile, sideways on,
            side-facing, from one side, seen side-on, broadside, parallel to the camera, parallel to the lens, edge-on,
            edge on, seen edge-on, one ear, only one ear, one side of her face, one side of his face, one side of the
            face, line of her jaw, line of his jaw"""
        )
        + combine(
            "nose|face|head|her nose|his nose|her face|his face|facing|looking|pointing",
            "to|toward|towards|pointing to|pointing toward|pointing towards|pointing at",
            "frame left|frame right|camera left|camera right|the left edge|the right edge|the left of frame"
            "|the right of frame|the left of the frame|the right of the frame",
        )
        + combine(
            "facing|faces|face|turned fully|fully turned|turned completely|pointing",
            "|to the|towards the|toward the",
            "left|right",
        ),
        WEAK: (),
    },
    "back": {
        EXPLICIT: phrases(
            """back, back view, back-view, from the back, rear view, rear, from the rear, back shot, rear shot,
            back angle, rear angle"""
        ),
        SYNONYM: phrases(
            """from behind, seen from behind, shot from behind, viewed from behind, facing away, faces away, turned
            away, turns away, turning away, walking away, walks away, running away, heading away, riding away,
            over the shoulder, over-the-shoulder, OTS, over her shoulder, over his shoulder, over their shoulder,
            back turned, back to the camera, back to camera, back of the head, back of her head, back of his head,
            back of the jacket, back of her jacket, back of his jacket, back of the cloak, back of the coat, trailing
            behind, trailing behind her, trailing behind him, following behind, from directly behind, from right
            behind, from just behind, from far behind, far behind, seen from the back, rear-facing, rear facing,
            back facing the camera, back facing us, her back to us, his back to us, their back to us, backs to us,
            backs to the camera, back turned to us, walking off, walks off, walking away from us, walks away from us,
            heading off, heads off, riding off, rides off, seen from the rear, shot from the rear, back of her head and
            shoulders, back of his head and shoulders, back of the head and shoulders"""
        )
        + combine("with|", "her|his|their|the", "back", "to|towards|toward|facing|turned to|turned towards", _CAMERA)
        + combine("see|sees|seeing|show|shows|showing|shown|view of", _PERSON, "back")
        + combine("facing|turned|turning", "away from", _CAMERA)
        + phrases(
            """from backside, from the backside, backside, backside view, of backs, from the backs, from her back,
            from his back, back to us, back to the audience, back to the house, back to the crowd, her back to the,
            his back to the, their backs to the, turns her back, turns his back, turned her back, turned his back,
            turning her back, turning his back, we only see her back, we only see his back, only her back, only his
            back, going away from us, going away, moving away, walking into the distance, away from us, away from
            camera, away from the camera, away from the viewer, exits upstage, exiting upstage, de espaldas, von
            hinten, ushiro, seen from the back, rear shot of, we're behind, we are behind, backs to the viewer, backs
            to the camera, backs to camera,
            backs to the audience, over my shoulder, over your shoulder, back over my
            shoulder, looking back over my shoulder, looking back over his shoulder, looking back over her shoulder"""
        ),
        WEAK: (),
    },
    "45-degree": {
        EXPLICIT: phrases(
            """45-degree, 45 degree, 45 degrees, 45-degree angle, 45 degree angle, three-quarter, three quarter,
            three-quarters, three quarters, three-quarter view, three-quarters view, three-quarter angle,
            three-quarter turn, 3/4, 3/4 view, 3/4 angle, 3/4 turn, quarter view, quarter turn, quarter-turn,
            three-quarter profile, 3/4 profile, half profile, half-profile, semi-profile, semi profile,
            3/4 front, 3/4 front view, three-quarter front view, front three-quarter, front 3/4"""
        ),
        SYNONYM: phrases(
            """angled, angled view, angled pose, at an angle, at an angle to the camera, slight angle, oblique,
            oblique angle, oblique view, half-turned, half turned, diagonal view, diagonal angle, forty-five,
            forty five, forty-five degrees, forty five degrees, forty-five degree, forty five degree, three-quarter
            on, three-quarters on, halfway between front and profile, halfway between front and side, between front
            and profile, between front and side, partly in profile, partial profile, somewhere in between,
            turned partway, turned part
            way, slight turn, slightly angled, angled slightly, angled away, slightly off-axis, off-axis, a slight
            angle"""
        )
        + combine(_TURN, _BODY, _SLIGHTLY)
        + combine(_SLIGHTLY, _TURN)
        + phrases(
            """45 deg, 45deg, 45 deg turn, 45-deg, three-fourth, three fourth, three-fourths, three fourths, 3/4
            facing, 3/4-facing, three-quarter facing, three quarter facing,
            not quite facing, not fully facing, not quite sideways, between front and side view, half turned away,
            half-turned away, turned half away, slightly turned, slightly away, turned away slightly, turned a
            little, a little turned, turned just a bit, a bit turned, partly turned, partially turned, semi-side,
            semi side, quarter profile, dreiviertel, three-quarter pose, 3/4 pose, 3/4 turned, angled toward
            camera, angled towards camera, angled to camera, angled to the camera, turned off-camera, off-camera
            slightly, slightly off-camera, slightly off camera, off to one side a little, turned a bit away,
            turned slightly away, turned a little away, a bit away from camera, slightly away from camera, three-quarter
            from the front, 3/4 from the front, three quarter from the front"""
        ),
        WEAK: (),
    },
}

MOOD_VOCABULARY: Final[dict[Mood, dict[int, tuple[str, ...]]]] = {
    "action": {
        EXPLICIT: phrases("action, action shot, action pose, action scene, in action, action-packed, action packed")
        + asked_for("dynamic|energetic|exciting|frantic|chaotic|kinetic|explosive|high-energy|fast-paced|wild"),
        SYNONYM: phrases(
            """jumping, jump, jumps, leaping, leap, leaps, running, runs, sprinting, sprint, sprints, jogging, jog,
            dashing, dash, rushing, bolting, fighting, fight, fights, sword fight, swordfight, sword fighting,
            swordplay, fencing, battle, battling, combat, dynamic, dynamic pose, kick, kicks, kicking, flying kick,
            spinning kick, punch, punches, punching, throwing a punch, chase, chases, chasing, chased, being chased,
            car chase, pursuit, explosion, explosions, exploding, dodging, dodge, dodges, attacking, attack,
            attacks, charging, charges, charge, lunging, lunge, slashing, stabbing, striking, swinging, spinning,
            diving, climbing, racing, speeding, galloping, duel, dueling, duelling, brawl, brawling,
            sparring, wrestling, boxing, mid-air, midair, in mid-air, mid-jump, mid-leap, mid-stride, mid-swing,
            mid-kick, mid-punch, mid-battle, mid-fight, mid-action, motion blur, in motion, on the move,
            high-speed, fast-paced, high-energy, high energy, kinetic, energetic, skateboarding, skating,
            snowboarding, skiing, surfing, parkour, flipping, backflip, somersault, cartwheel, acrobatic,
            acrobatics, gunfight, shootout, firefight, shooting, firing, gunfire, martial arts, kung fu, karate,
            tackling, tackle, dunking, throwing, hurling, casting a spell, casting spells, casting lightning,
            casting a fireball, throwing a fireball, fireball, blasting, drawing her sword, drawing his sword,
            draws her sword, draws his sword, unsheathing, sword raised, loosing arrows, shooting arrows, firing
            arrows, siege, assault, ambush, raid, skirmish, clash, clashing, stampede, fleeing, escaping, escape,
            running away, running off, racing away,
            car crash, chaos, chaotic, frantic, dancing wildly, dancing like crazy, breakdancing, moshing,
            headbanging, fleeing, boss fight, pillow fight, snowball fight, battle scene, fight scene, war,
            warfare, rampage, riot, pounce, pouncing, storming, under fire, heavy fire, mid-spin, mid-dive,
            mid-sprint, mid-fall, mid-flip, mid-throw, full stretch, at full stretch, full tilt, at full tilt, at full
            speed, full speed, flat out, breakneck, white-water, whitewater, rapids, white water, motocross, bmx,
            mountain biking, downhill biking, kickflip, ollie, skydiving, freefall, free fall, base jumping, bungee,
            bungee jumping, paragliding, hang gliding, windsurfing, kitesurfing, wakeboarding, waterskiing, jet ski,
            jet skiing, bobsled, bobsleigh, tug of war, arm wrestling, rodeo, bull riding, stunt, stunts, swing
            dance, swing dancing, jive, jiving, energetic dance, mosh pit, crowd surfing, crowd-surfing, hockey
            game, rugby, touchdown, slam dunk, penalty kick, cavalry charge, high-octane, adrenaline, explosive,
            very fast, really fast, at speed, gun battle, sword duel, knife fight, fistfight, fist fight, bar
            fight, brawl, melee, free-for-all, scuffle, scrap, dogfight, pillow-fight, food fight, water fight,
            snowball-fight, chase scene, getaway, on the run"""
        )
        + phrases(
            """play tag, playing tag, plays tag, dances hard, dancing hard, dance hard, volleyball spike, spiking,
            grand jete, grand jeté, jete, pirouettes, fast pirouettes, run cycle, running cycle, sprint cycle,
            attack frame, attack animation, hit frame, knockback, knocked back, knocked down, flinching from a hit,
            taking a hit, skids, skidding, skidded, flailing, flails, carving a wave, shredding, mid-strike,
            mid-slash, mid-serve, tennis serve, mid-butterfly, mid-stroke, mid-dunk, mid-tackle, mid-charge,
            mid-pirouette,
            three-point landing, superhero landing, slamming down, slams down, crashing down, snapping sideways,
            head snapping, taking a punch, hook punch, uppercut, roundhouse, serving an ace, following through,
            follow-through, swinging the bat, swings the bat, hitting a six, hits a six, bowling a bouncer,
            throwing the ball, sliding on his knees, sliding on her knees, knee slide, in full flight, full sprint,
            darting between, weaving through, zigzagging, racing through, battle cry, war cry, fighting a dragon,
            slaying, cartwheels, backflips, leapfrog, ollies, ollieing, drifting round, drifting around, mid-skydive,
            skydive, tearing through, tears through, victory lap, going wild, slapshot, mid-slapshot, banking
            through, stagediving, stage diving, stage-diving, mid-bounce, bouncing on a trampoline, cannonballing,
            kettlebell swing, kettlebell swings, swinging a kettlebell, three point line, shells bursting"""
        )
        # Sports, stunts and fights by family, from a systematic list rather than from any one prompt.
        + phrases(
            """kickboxing, pitching the ball, volleying, dribbling, dribbles past, scoring a goal, scores a goal,
            rappelling, abseiling, bouldering, rollerblading, rollerskating, roller skating, cycling hard, pedalling
            hard, pedaling hard, rowing hard, breaststroke, butterfly stroke, front flip, frontflip, handspring,
            headspin, burpees, ziplining, zip-lining, rollercoaster, roller coaster ride, archery, loosing an arrow,
            javelin throw, throwing the javelin, discus throw, shot put, crossing the finish line, goal celebration,
            home run, haymaker, body slam, suplex, piledriver, chokehold, headlock, armbar, takedown, airborne,
            mid-flight, breaking down the door, hanging from a ledge, dangling from, falling from, free-falling,
            crash landing, crash-landing, wrestling match, boxing match, fencing bout, sword duel, in the ring
            fighting, penalty shootout, ski jump, ski jumper, ski jumping, heaving a barbell, grinding the rail,
            grinding a rail, grinding rails, colliding, shoving,
            elbows out, sliding down, jumping from, running for his life, running for her life, running for their
            lives, fists flying, popping and locking, locking and
            popping, krump, krumper, krumping, bboy freeze, b-boy freeze, bgirl freeze, b-girl freeze, handstand
            freeze, power moves, headspins, mid-stomp, stamping furiously, zapateado, hauling in, hauling on,
            straining on, mid-cast, mid cast, casting off, parrying, parries, parried, blocking a
            blow, summoning a, stomping, lifting weights, weightlifting, working out, push-ups, pushups, doing
            push-ups, pull-ups, pullups, sit-ups, situps, carving hard, mid-turn, popping up on,
            pops up on, down a wave, down the wave, down the wave face, riding a wave, rides a wave, catching a wave,
            catches a wave, carves a wave, carved a wave, crowd-surfer, crowd surfer, wipeout, wiping out, wipes out,
            spear-fishing, mid-thrust, foot chase, on foot chase"""
        )
        + TOWARD_CAMERA_ACTION
        + ACTION_VERB_FORMS
        # Verbs whose base form is also a noun ("a dive bar", "a vaulted nave", "shutter speed"): listed by hand.
        + phrases(
            """dashed, dashes, vaulting, vaults, vaults over, vaulted over, splashing, splashed, splashes, diving,
            dived, dives, rafting, kayaking, canoeing, sledding, sledging, tobogganing, skating, skated, skiing,
            skied, snowboarding, skateboarding, surfed, surfing, shooting at, shoots at, shot at, rushing, rushed,
            rushes, flipping, flipped, speeding, sped, barreling, barrelling, rocketing, zooming, scrambling,
            scrambles, scrambled up, scrambling up, swinging, swung at, throwing, threw, hurled, bursting,
            bursting out, burst out, bursts out, ducking, ducked, bounding, bounded, leaping, fencing"""
        )
        + combine(
            "hauling|hauls|hauled|haul|heaving|heaves|heaved|pulling|pulls|pulled|dragging|drags|dragged|hoisting"
            "|hoists|hoisted",
            "herself|himself|themselves",
            "up|over|onto",
        ),
        WEAK: phrases(
            """through the air, fast, dancing, dance, training, workout, sports, flying, soaring, swooping,
             sprinter, racers, racer, stuntman, acrobat, gymnast, thundering,
            galloping horses, speed lines, action lines, runner, runners"""
        ),
    },
    "calm": {
        EXPLICIT: phrases("calm, calm mood, calm scene, calmly, calming")
        + asked_for("peaceful|relaxed|serene|cozy|cosy|quiet|gentle|soft|tranquil|restful|mellow|chill"),
        SYNONYM: phrases(
            """peaceful, peacefully, serene, serenity, relaxed, relaxing, relax, relaxes, unwinding, at ease,
            at rest, meditating, meditation, meditative, zen, sleeping, asleep, sleepy, snoozing, dozing, napping,
            nap, resting, rests, gentle, gently, gentle breeze, quiet, quietly, quiet moment, tranquil,
            tranquility, tranquillity, soft light, soft lighting, soft glow, warm glow, soft smile, gentle smile,
            smiling softly, softly, tender, tenderly, reading, reading a book, reads, contemplative, lounging,
            laid back, laid-back, cozy, cosy, comfy, snug, idyllic, stillness, standing still, sitting still,
            daydreaming,
            daydream, dreamy, leisurely, leisure, stroll, strolling, meandering, lazy, lazily, lazy vibes, chill,
            chilling, chilled out, chill vibes, hanging out, picnic, yoga, stargazing, cloud watching, watching
            clouds, watching the clouds, clouds drift, lies in the grass, lying in the grass, sunbathing,
            sipping, sipping tea, sipping coffee, drinking tea, cup of tea, knitting, gardening, watering plants,
            watering the plants, fishing, feeding ducks, feeding the ducks, birdwatching, watching the sunset,
            watching the sunrise, watching the stars, eyes closed, closed eyes, curled up, cuddling, snuggling,
            slow dance, slow dancing, contented, blissful, soothing, hushed, harmonious, lullaby, bubble
            bath, hot spring, hammock, misty morning, playing the piano, plays the piano, calm-looking, restful,
            easygoing, mellow, placid, balmy, unhurried, wistful calm, tea ceremony, pastoral, bucolic, grazing,
            drowsy, catnap, cat-nap, cat nap, siesta, reclining, reclines, basking, lazing, lolling, idling,
            taking a nap, taking it easy, at peace, peace and quiet, peacefulness, calmness, still water, still lake,
            prayer, in prayer, praying, prays, silent prayer, contemplating, contemplation, pondering, musing,
            unwound, rested, dozed, dozes, dozy, napped, naps, slept, sleeps, sleep, snoozes, snoozed, lounged,
            sipped, sips, sip, relaxes, relaxed pose, soft morning, quiet afternoon, lazy afternoon,
            sunday morning, peaceably, softly lit, gently lit, tranquilly, serenely, restfully, dreamily, lulled,
            soothing light, soft sunlight, cozily, cosily, by candlelight, slow morning, unwinding, relaxation,
            sun-drenched nap, hot bath, warm bath, bath time, cup of cocoa, mug of cocoa, mug of tea, cup of coffee,
            quiet reading, book in hand, watching the waves, watching the rain, listening to the rain, rocking
            chair, porch swing, hammock nap, feeding pigeons, feeding the pigeons, feeding birds, feeding the birds,
            bird feeding, fishing rod, angling, casting a line, fly fishing, floating on her back, floating on his
            back, gentle waves, lapping waves, calm sea, calm water, calm waters, still morning, quiet evening,
            quiet night, sleeping peacefully, resting peacefully, at leisure, unrushed, slow-paced, slow paced,
            drifting, drifts, drifted, glassy water, glassy lake, glassy pond, glassy sea, mirror-still, sprawled,
            sprawling, sprawls, stretched out on, chaise longue, chaise, daybed"""
        )
        + phrases(
            """zoned out, zoning out, having a doze, having a nap, having a snooze, dozing off, nodding off, very
            still, utterly still, perfectly still, hands folded, breathing slowly, slow breathing, glassy and still,
            still and glassy, lake glassy, so peaceful, all peaceful, iyashikei, comfy vibes, cozy vibes, healing
            vibes, lofi, lo-fi, lofi vibe, soft and still, tranquil evening, still evening, lazy sunday, sunday
            afternoon, relax mood, relaxing mood, warm and soft, soft feeling, soft and warm, sleepy vibes,
            unhurriedly, quietly content, in repose, reposing, serene expression, eyes half-shut, eyes half shut,
            half-asleep, half asleep, dreaming, peace at last, peacefull, dawn chorus, nothing happening, eyes shut,
            total calm, maximum chill, loafing, lying in bed, journaling, writing in a journal, crocheting, sewing,
            embroidering, embroidery, watering flowers, watering the flowers, pruning roses, taking a bath, soaking in
            a tub, soaking in the tub, listening to music, listening to records, humming softly, rocking a baby,
            petting a cat, petting the cat, stroking a cat, stroking the cat, stroking a dog, ambling, gazing out the
            window, gazing out of the window, watching the snow, watching the snowfall, sitting by the fire, wrapped in
            a blanket, tucked in, tucked into bed, warm lamplight, bobbing on the water, tai chi, breathing
            exercises, spa day, massage, raking sand, arranging flowers, flower arranging, calligraphy, bedtime
            story, slumbering, slumber, carefree, yawning, hot cocoa, under a blanket, rainy day indoors, bedtime,
            cradle, cradled, swaddled, motionless, hang motionless, milky way, looking at the stars, looking up at the
            stars, holding hands, tender embrace, gentle embrace, sigh of relief, fairy lights,
            lantern light"""
        )
        + combine(
            "floating|floats|floated",
            "on the water|on the lake|on the pond|in the pool|on the sea|in the sea|on a lilo|on an inflatable"
            "|lazily|on the surface|on the river|down the river",
        ),
        WEAK: phrases(
            """soft, warm light, morning light, golden hour, breeze, misty, mist, leaning against, silent,
            silence, in silence, slowly, slow, candlelight, candle light, lazy,
            wildflowers, birdsong"""
        ),
    },
    "dramatic": {
        EXPLICIT: phrases(
            "dramatic, dramatic lighting, dramatic light, dramatic mood, dramatic scene, dramatically, drama"
        )
        + asked_for("tense|moody|spooky|creepy|intense|ominous|dark|scary|sinister|eerie|gloomy|grim|menacing|sad"),
        SYNONYM: phrases(
            """moody, intense, intensity, chiaroscuro, noir, film noir, stormy, storm, storm clouds, thunderstorm,
            ominous, rim light, rim lighting, rim-lit, high contrast, high-contrast, epic, menacing, menace,
            threatening, brooding, sinister, haunting, haunted, tense, tension, suspense, suspenseful, backlit,
            backlight, backlighting, silhouetted, in silhouette, silhouette against, silhouetted against,
            dark silhouette, black silhouette, low key lighting, low-key lighting, low-key, low key,
            dark and moody, dark and creepy, dark atmosphere, dark mood, thunder, lightning, spooky, creepy,
            eerie, horror, terror, terrified, terrifying, fear, fearful, afraid, scared, screaming, scream,
            crying, cries, tears, weeping, sobbing, grief, grieving, mourning, funeral, sorrow, anguish, despair,
            desperate, furious, fury, rage, enraged, angry, anger, glaring, glares, scowling, snarling,
            foreboding, grim, sombre, somber, tragic, tragedy, harsh light, harsh lighting, harsh key light, hard
            light, hard lighting, hard shadows, deep shadows, strong shadows, dramatic shadows, half in shadow,
            in shadow, shadowy, rembrandt lighting, split lighting, blood, bloody, blood-red, bloodied, inferno,
            apocalyptic, apocalypse, doom, confrontation, standoff, showdown, imposing, solemn, stern, stern look,
            cold stare, trembling, panic, panicked, defiant, villainous, dread, nightmare, nightmarish, gothic
            horror, heartbreak, heartbroken, climactic, looming, ghostly, macabre, desolation, desolate, aftermath,
            devastation, devastated, wreckage, carnage, massacre, war-torn, anguished, agony, agonized, agonised,
            tormented, torment, horrified, horrifying, shocked, betrayal, betrayed, vengeance, revenge, wrath,
            wrathful, tempest, hurricane, typhoon, tornado, gale, thunderclouds, thunderheads, storm front, weather
            front, interrogation, interrogated, hostage, bleak, gloomy,
            gloom, stark lighting, harsh bulb, bare bulb, single bulb, harsh single light, flickering light,
            flickering bulb, flickering lights, arguing, argument, quarrel, quarrelling, shouting, yelling, furious,
            furiously, wept, weeps, sobbed, sobs, grieved, grieves, mourned, mourns, mourners, wailing, despairing,
            distraught, sorrowful, mournful, wounded, bleeding, dying, dead body, corpse, battlefield aftermath,
            ruined city, burning city, in ruins, haunting, fearful, frightened, terrorized, terrorised, nervous,
            anxious, anxiety, dread-filled, fateful, last stand, final stand, do or die, grim determination,
            foreboding sky, brooding sky, angry sky, stormy sky, ominous clouds, bruised sky, blackout, tense
            silence, tense standoff, on the brink, at gunpoint, gun to his head, gun to her head, emotionally charged,
            charged atmosphere,
            menacingly, glowering, seething, fuming, raging, howling wind, lashing rain, driving rain, pouring
            rain, storm-lashed, storm lashed, shipwreck, sinking ship, struggle, struggling, trapped, fuse, lit fuse,
            burning fuse, the fuse burns, fuse burns down, ticking clock, ticking bomb, time bomb,
            countdown, detonator, bomb timer, about to explode"""
        )
        + phrases(
            """holding his breath, holding her breath, holds his breath, holds her breath, hard key light, hard key,
            red alert, alarm blaring, sirens blaring, white-out, whiteout, shaking, mascara running, running
            mascara, tear-streaked, tearstained, tear-stained, bare bulb swinging, swinging bulb, scary, scary
            atmosphere, eyes glowing, glowing red eyes, red eyes glowing, villain, villainess, dark castle, frozen
            in shock, in shock, sweat running, jaw clenched, clenched jaw, clenched fists, raking light, tenebrism,
            tenebrist, swallowed by darkness, drowned in shadow, closing in, wolves closing in, howling, staring
            down, stares down, head in hands, head in her hands, head in his hands, exhausted, hiding from, hiding
            in, hides from, cowering, cowers, petrified, hunted, stalked, lurking, lurks, fog-bound,
            fresh grave, cursed, staggering, staggers, bleeding out, much tension, very
            intense, hollow-eyed, thunder cracking, crack of thunder, eyes raw, raw from weeping, unsettling,
            unnerving, out of the darkness, in the darkness, darkness, deep shadow, something watching, blackness,
            panicking, panics, sound of breathing, goosebumps, foggy, downpour, torrential rain, crashing waves,
            tidal wave, tsunami, earthquake, volcano erupting, volcanic eruption, eruption, wildfire, forest fire,
            rubble, bombed-out, dystopian, pitch black, pitch-black, pitch dark, pitch-dark, misty graveyard,
            mist-shrouded, fog-shrouded, injured, evil, doomed, kidnapped, imprisoned, chained, shackled, captured,
            dark alley, dark alleyway, interrogation room, interrogation glass, sweating, sirens, red and
            blue lights, chalk outline, fog rolling in, worried, dark clouds, alarming, urgent, stripes of shadow,
            shadow across his face, shadow across her face, dust storm, surrounded by enemies, cornered, forsaken,
            alone in the
            rain, blizzard, tearful, shrieking, livid, vengeful, on edge, paranoid, hopeless, tortured, last breath,
            tombstone, coffin, bloodstained, blood-stained, gore, warzone, air raid, explosion in the distance,
            lightning strike, end of the world, doomsday, decaying, rotting, abandoned asylum, dark forest, dark
            woods, moonless night, piercing gaze, steely gaze, duel at dawn, ransom, kidnapping, rain lashing, squall,
            squall line,
            jaw tight, oppressive, smog, acid rain, guards close in, close in, uneasy, hard top light, harsh top
            light, wind tearing, candle guttering, guttering candle, coming down in sheets, rain in sheets, the body
            lies, lit hard, lit hard from one side, held captive, in
            chains"""
        )
        + combine(
            "glaring|glares|glared|glowering|glowers|scowling|scowls|snarling|snarls",
            "|straight|right|directly|menacingly",
            "at|into|toward|towards",
            _CAMERA,
        ),
        WEAK: phrases(
            """cinematic, cinematic lighting, shadows, fiery, volumetric lighting, burning, flames, on fire,
            god rays, spotlight, sad, lonely, towering, gritty, dark sky, blood moon, side-lit, side lit,
            landslide, avalanche, flood, flooding, cyclone, gritted teeth, mysterious, mystery, peril, perilous,
            danger, dangerous, deadly, harsh, stark, flickering, dim,
            alone in the dark, sadness, melancholy, melancholic,
            sorrowful look, broken, shattered, ashes, smoke-filled, smoldering, smouldering"""
        ),
    },
    "neutral": {
        EXPLICIT: phrases("neutral mood, neutral tone"),
        SYNONYM: phrases("neutral expression, neutral pose, neutral lighting, expressionless, blank expression"),
        WEAK: phrases("neutral"),
    },
}

SETTING_VOCABULARY: Final[dict[Setting, dict[int, tuple[str, ...]]]] = {
    "outdoor": {
        EXPLICIT: phrases(
            "outdoor, outdoors, outside, exterior, outdoor scene, open air, open-air, out of doors, al fresco, EXT"
        ),
        SYNONYM: phrases(
            """forest, woods, woodland, jungle, rainforest, beach, shore, seashore, coast, coastline, street, city
            street, side street, busy street, streets, city, cityscape, skyline, rooftop, rooftops, roof, mountain,
            mountains, mountain pass, mountain peak, summit, park, skate park, playground, field, fields,
            meadow, sky, night sky, big sky, under the sky, under the stars, desert, dunes, salt flats, garden,
            orchard, vineyard, farm, farmland, wheat field, ocean, sea, at sea, seaside, lake, lakeside, pond,
            river, riverbank, canal, countryside, village, town square, old town, battlefield, alley, alleyway,
            back alley, back yard, backyard, front yard, yard, lawn, flower bed, flower beds, porch, front porch,
            back porch, balcony,
            terrace, patio, deck, deck of a ship, harbor, harbour, pier, dock, docks, marina, cliff, cliffs, cliff
            top, clifftop, porch swing, canyon, valley, hills, hillside, hill, waterfall, courtyard, plaza, town square,
            village square, city square, in the rain,
            snowfield, campfire, campsite, camping, trail, hiking trail, path, forest path, slope,
            ski slope, glacier, tundra, savanna, prairie, swamp, marsh, moor, moors, heath, grove, bamboo grove,
            island, lagoon, reef, volcano, crater, bus stop, parking lot, highway, road, country road, sidewalk,
            crossroads, runway, race track, running track, finish line, graveyard, cemetery, ruins, castle walls,
            castle gate, castle courtyard, ramparts, battlements, garden gate, street market, open plain, plains,
            wilderness, outback, surf, waves, wave, mars, red desert, snowy, sunny field,
            in the sun, sunlit meadow, rain-soaked street, side of the road, sunbathing, street lamp, streetlamp,
            lamppost,
            street light, streetlight"""
        )
        # Landscapes, water, urban exteriors and weather, by family.
        + phrases(
            """steppe, steppes, bayou, fjord, fjords, palm, palms, palm tree, palm trees, rapids, stream, creek, brook,
            estuary, delta, bay, cove, inlet, gulf, lakeshore, lake shore, riverside, river bank, waterfront,
            seafront, sea front, beachfront, lakefront, riverfront, boardwalk, promenade, esplanade, jetty, wharf,
            quay, quayside, port, shipyard, ship's rail, ship's deck, ship's bow, the prow, on deck, on the deck,
            open sea, high seas, the waves, sailboat, rowboat, canoe, kayak, raft, loch, fen, bog, wetland, wetlands,
            mangrove, mangroves, oasis, dune, sand dunes, salt flat, mesa, butte, badlands, plateau, highlands,
            ridge, ridgeline, mountainside, mountain side, mountain face, cliff face, rock face, crag, crags, scree,
            gorge, ravine, foothills, peak, peaks, alpine, hilltop, hill top, rolling hills, downs, moorland,
            heather, pasture, pastures, paddock, ranch, cornfield, corn field, wheat fields, rice paddy, rice
            paddies, paddy field, allotment, vegetable patch, schoolyard, school yard, churchyard, village green,
            main street, high street, market street, marketplace, market square, bazaar, souk, market stall,
            roadside, roadside stall, food truck, food cart, petrol station, gas station, car park, crosswalk,
            intersection, avenue, boulevard, country lane, lane, overpass, freeway, motorway, train tracks, railway
            line, railroad, level crossing, favela, slum, slums, suburb, suburbs, suburban street, cul-de-sac,
            driveway, front lawn, front garden, back garden, front steps, front gate, garden party, fairground,
            funfair, carnival,
            amusement park, theme park, zoo, safari, campground, trailhead, footpath, towpath, forest trail,
            clearing, glade, thicket, copse, hedgerow, treeline, tree line, taiga, ice field, ice floe, iceberg,
            arctic, antarctic, snow-covered, snowy hill, snowy hillside, snowy field, snowy mountain, slopes,
            trenches, trench, no man's land, castle gates, castle wall, city walls, city gate, quad, football pitch,
            soccer field, football field, grass pitch, pitch, the pitch, stadium pitch, touchline, sideline, sidelines,
            goalmouth, penalty area, penalty box, end zone, outfield, infield, bleachers, grandstand, playing field,
            sports field, baseball diamond, golf course,
            fairway, tennis court, basketball court, skatepark, rooftop garden, fire escape, the square, town
            square, the plaza, public square, open field, open fields, open country, open road, dirt road, gravel
            road, mountain road, long road, on the road, along the road, the highway, downpour, drizzle, blizzard,
            snowstorm, sandstorm, hailstorm, rainstorm, open sky, starlit sky, moonlit sky, overcast sky, cloudy
            sky, grey sky, gray sky, blue sky, under an open sky, sunshine, blazing sun, midday sun, noon sun, under
            the moon, moonlit, starlit, northern lights, aurora, outer edge of town, orchard, grove, bridge over,
            footbridge, riverboat, gondola, sea cliff, sea cliffs, seashell beach, shoreline, tide pools, tidal
            flats, sandbar, reef, coral reef, underwater, under the sea, the open, the wild, the wilds, bush,
            the bush, scrubland, savannah, grassland, grasslands, lava field, lava fields, volcanic plain, ash
            plain, wasteland, battleground, war zone, parade ground, shrine gate, temple gate, torii,
            torii gate, city gates, park gate, farm gate, iron gate, wooden gate, parade, procession
            through the streets, street corner, on the corner, street parade, bus shelter, tram stop, taxi rank,
            car wash, drive-in, outdoor cafe, outdoor café, café terrace, cafe terrace, beer garden, garden
            terrace, sun terrace, poolside, by the pool, swimming pool, outdoor pool, pool deck, vineyards,
            orchards, farmyard, barnyard, hayfield, haystack, windmill, lighthouse, ferris wheel, roller coaster,
            construction site, building site, scaffolding, junkyard, scrapyard, quarry, mine entrance, open-pit,
            oil rig, train platform, outdoor stage, open-air stage, amphitheatre, amphitheater, colosseum,
            festival grounds, campus lawn, the lawn, the garden, the park, the beach, the forest, the woods, the
            field, the fields, the meadow, the hills, the mountains, the desert"""
        )
        + phrases(
            """on location, location shoot, curb, kerb, on the curb, on the kerb, school gate, the school gate, alps,
            the alps, on a rock, boulder, on a boulder, the track, baseball ground, cricket ground, in the ground, at
            the signal, traffic signal, traffic light, traffic lights, zebra crossing, little town, small town, in
            town, tall grass, long grass, grassy, courthouse steps, church steps, steps outside, far ridge,
            floodlights, under the floodlights, clay court, grass court, the green, 18th green, putting green, the
            stands, from the stands, from the bank, oak roots, tree roots, under the oak, across the square, flatbed
            truck, on the highway, down the highway, at the docks, lanterns floating, floating lanterns, down the
            river, festival field, outside the town hall, treehouse, tree house, picnic blanket, garden bench, park
            bench, bench by the river, on the ridge, mountaintop, on the roof, marathon, marathon crowd, festival
            crowd, airfield, sand pit, long jump pit, in the snow, red planet, planet surface, dust storm, tomato
            plants, among the plants, in the reeds, reeds, breaking ice, ice floe, paddleboard, burning city, storm
            clouds, graveside, at the graveside, stone circle, cherry blossoms, cherry blossom, under cherry blossoms,
            railway tracks, railroad tracks, storefronts, past the storefronts, long drive, skydiving, mid-skydive,
            whole stadium"""
        )
        # Open-air places by family, from a systematic list rather than from any one prompt.
        + phrases(
            """airstrip, tarmac, helipad, launch pad, launchpad, racetrack, race track, raceway, velodrome, ski jump,
            ski
            lift, chairlift, half-pipe, halfpipe, sandpit, athletics track, hard shoulder, roundabout, viaduct,
            aqueduct, the dam, a dam, reservoir, breakwater, tide pool, tide pools, rock pool, rock pools, sandbank,
            mudflat, mudflats, icefield, ice sheet, veldt, pampas, glen, gully, gulch, arroyo, wadi, escarpment,
            caldera, lava flow, geyser, geysers, hot spring, hot springs, plantation, rice terraces, picnic area,
            picnic, piste, crow's nest, veranda, verandah, piazza, backstreet, backstreets, pavement, landfill, power
            station, railway, watchtower, fortress walls, stockade, downtown, outer space, in space, in orbit, moon
            surface, lunar surface, surface of the moon, surface of mars, alien planet, asteroid, rock formation, cave
            mouth, cave entrance, riverbed, dry riverbed, seabed, sea bed, backcountry, yacht, speedboat, rowing boat,
            town centre, city centre, music festival, open-air festival, bonfire, barbecue, bbq, pool party, driving
            range, ski resort, dirt track, dark alley, dark alleyway, the break, past the break, the lineup, the
            line-up, whitewater, white water, on the sand, in the sand, wave face, sidewalk cafe, sidewalk café,
            pavement
            cafe, roman forum, machu picchu, grand canyon, stonehenge, great wall, mount fuji, niagara falls, times
            square, golden gate bridge, sahara, himalayas, everest, serengeti, acropolis, pyramids, the pyramids,
            giza, petra, angkor wat, taj mahal, in his trench, in the trench, in a trench, stadium, in the stadium,
            open-air market, street
            market, out in the open, hedge maze, war memorial, beach hut,
            cliffside, atoll, ice cave, antarctica, the north pole, the south pole, marshland, lowlands, wheatfield,
            corral, rodeo arena, race course, racecourse, motocross track, bmx track, front lines, military camp, army
            camp, tram line, underpass, drawbridge, moat, dockyard, food stalls, open-air theatre, open-air theater,
            spacewalk, space walk, alien world, on the moon, moon's surface, alien moon, skyway, apiary, hives,
            beside his hives, arboretum, shingle, down the shingle, school gates, deckchair, across the sand, on the
            sand, vacant
            lot, wet grass, across the grass, on the grass, lunar plain, fells, fellside, county fair, the fair,
            fair grounds, fairgrounds, bullring, wading, rail tracks, the rocks, from the rocks, on the rocks,
            landing stage, shopfronts, shop fronts, row of shops, station apron, cathedral steps, church gate, canals,
            the canals, playgrond, peir"""
        )
        + combine(
            "in front of|outside|by",
            _DETERMINER + "|his childhood|her childhood|the old|an old|his old|her old|the burning|a burning",
            "home|house|workshop|saloon|barn|eiffel tower|tower|treehouse|hotel|garage|shop|store|school|church"
            "|chapel|temple|shrine|castle|palace|station|gate|gates|cottage|cabin|farmhouse|manor|mansion|town hall"
            "|courthouse|museum|library|bakery|cafe|café|pub|tavern|inn|stadium|arena|theatre|theater|factory",
        )
        + combine("in front of", _DETERMINER, _BUILDINGS)
        + combine(
            "on the front steps of|on the steps of|front steps of|steps of|at the entrance of|at the gate of|out front"
            " of|on the porch of|on the roof of|outside of|on the doorstep of|at the door of",
            _DETERMINER,
            _BUILDINGS,
        )
        + combine(
            "inside|deep inside|inside of",
            "|a|the|an",
            "volcano crater|crater|volcano|canyon|gorge|ravine|forest|jungle|rainforest|woods|valley|quarry|crater rim",
        )
        + combine(
            "past|passing|walking past|striding past|outside",
            _DETERMINER,
            _BUILDINGS,
            "|window|windows|door|doors|entrance|front|facade|façade",
        ),
        WEAK: phrases(
            """landscape, sunset, sunrise, sunlight, sunny, rain, snow, market, bridge, nature, trees, tree,
            clouds, starry, stars, dusk, windswept, wind"""
        ),
    },
    "indoor": {
        EXPLICIT: phrases("indoor, indoors, inside, interior, indoor scene, inside the house, in the house"),
        SYNONYM: phrases(
            """room, living room, throne room, war room, waiting room, dining room, hotel room, back room, kitchen,
            cathedral, cathedral nave, nave, chapel, church, crypt, library, office, bedroom, bathroom, hallway,
            corridor, hall, great hall, empty hall, concert hall, lobby, hotel lobby, castle interior, tavern,
            saloon, pub, bar counter, nightclub, club, cafe, café, coffee shop, diner, booth, restaurant,
            classroom, museum, gallery, hospital, hospital bed, laboratory, lab, warehouse, factory, garage,
            workshop, basement, cellar, attic, dungeon, prison cell, ballroom, apartment, studio apartment,
            fireplace, by the fireplace, cockpit, bunker, shop, store, supermarket, grocery store, convenience
            store, mall, shopping mall, bakery, inn, lodge, cabin, greenhouse, gym, dojo, arcade, cinema, movie
            theater, subway car, train car, carriage, elevator, stairwell, staircase, couch, sofa, in bed, bed,
            desk, at her desk, at his desk, bathtub, shower, mirror, bookshelf, bookshelves, shelves, server room,
            control room, spaceship, spaceship interior, cafeteria, canteen, locker room, dressing room, salon,
            barbershop, hangar, barn, stable, temple interior, throne, banquet hall, dance studio, yoga studio, art
            studio, artist's studio, pottery studio, tattoo studio, recording studio, music studio, windowless,
            home office, den, parlor, parlour, chamber, hotel, aquarium, backstage, kitchen table"""
        )
        # Rooms, shops, workplaces and public buildings seen from inside, by family.
        + phrases(
            """mirror selfie, bathroom selfie, batting cage, batting cages, weight room, weights room, boxing ring,
            wrestling ring, indoor court, indoor track, hangar bay, loading bay, cargo bay, docking bay, sick bay,
            engine bay, bay window, conservatory, solarium, scriptorium, boiler room, mail room, mailroom, stage,
            on stage, the stage, bare stage, theatre, theater, playhouse, music hall, cabaret, big top, circus tent,
            cupola, laundromat, launderette, laundry room, utility room, speakeasy, pharmacy, chemist's, drugstore,
            sunroom, sun room, waiting area, reception area, reception desk, dentist's, dentist's office, dentist
            chair, doctor's office, surgery room, clinic, operating theatre, operating theater, operating room,
            hospital ward, ICU, emergency room, interrogation room, interrogation table, jail cell, cell block,
            holding cell, prison, courtroom, court room, boardroom, board room, conference room, meeting room,
            cubicle, open-plan office, corner office, break room, staff room, teachers lounge, staff lounge,
            lecture hall,
            lecture theatre, auditorium, assembly hall, sports hall, gymnasium, changing room, fitting room, vestry,
            sacristy, aisle, pew, pews, altar, chancel, mosque interior, synagogue, forge, smithy, brewery,
            distillery, wine cellar, pantry, larder, scullery, nursery, playroom, dorm, dormitory, dorm room, guest
            room, master bedroom, loft, penthouse, hotel suite, suite, motel room, hostel, sitting room, drawing
            room, family room, living area, in the study, archive, archives, reading room, records room, vault,
            bank vault, bank lobby, departure lounge, departures lounge, arrivals hall, airport terminal,
            terminal building, check-in desk, check-in counter, airport counter, train compartment, compartment,
            car interior, bus interior, cabin interior, space station, station interior, food court, casino,
            bowling alley, karaoke room, karaoke bar, disco, dance floor, opera house, green room, recording booth,
            newsroom, planetarium, exhibition hall, atrium, foyer, vestibule, entrance hall, front hall, landing,
            spiral stairs, spiral staircase, stairs inside, catacombs, tomb, mead hall, feasting hall, mess hall,
            galley, kitchenette, restroom, washroom, sauna, spa, bathhouse, orangery, hayloft, factory floor,
            assembly line, foundry, sawmill, school hall, locker room, boxing gym, nursing home, care home, asylum,
            orphanage, boutique, bookshop, bookstore, record store, pawn shop, barber shop, hairdresser's,
            hair salon, nail salon, butcher's, corner shop, checkout, checkout counter, shop counter, shop floor,
            bakery counter, behind the counter, behind the bar, at the bar, bar stool, bar stools, cellar bar,
            basement club, jazz club, cocktail bar, wine bar, teahouse, tea room, tearoom, tea house, ice cream
            parlour, ice cream parlor, noodle shop, ramen shop, sushi bar, dim sum, canteen, breakfast nook, dining
            table, at the table, banquet table, candlelit room, candlelit dinner, fireside, by the fire, hearth, by
            the hearth, armchair, four-poster bed, four-poster, bunk bed, duvet, quilt, under the covers, under a
            quilt, under the blanket, bathroom mirror, vanity, dressing table, wardrobe, closet, walk-in closet,
            indoor pool, indoor arena, ice rink, skating rink, squash court, climbing gym, bouldering gym, sports
            centre, leisure centre, mall corridor, escalator, lift, elevator lobby, underground car park, parking
            garage, subway station, metro station, underground station, train station concourse, concourse,
            museum hall, gallery wall, art gallery, studio loft, attic room, basement room, cellar room, crawl
            space, panic room, cockpit interior, bridge of the starship, starship bridge, ship's cabin, below
            deck, below decks, engine room, mansion hallway, ward, vaulted ceiling, ceiling fan, fluorescent
            lights, fluorescent light, office cubicle, office desk, workbench, work bench, lab bench, microscope,
            operating table, hospital room, patient room, sickbed, deathbed, throne hall, palace hall, palace
            interior, inside the palace, inside the castle, inside the church, inside the temple, inside the
            tower, inside the cave, inside the tent, indoors at, the living room, the kitchen, the bedroom, the
            bathroom, the office, the classroom, the library"""
        )
        + phrases(
            """tour bus, on the tour bus, at the stove, stove, kotatsu, reception counter, guild hall, adventurers
            guild, garret, drawing-room, window seat, natatorium, between rounds, in the ring,
            ringside, tower study, study door, the study, in the cottage, in a cottage, inside the cottage,
            nightstand, bedside table, the hallway, convention center,
            convention centre, convention hall, submarine, barracks, barracks interior, cafe interior, interior of,
            abandoned warehouse, tatami, tatami room, in his room, in her room, in my room, in the room, her
            bedroom, his bedroom, the couch, on the couch, on the sofa, in the church, wedding hall, reception
            hall, ballet studio, rehearsal room, rehearsal studio, centre stage, center stage, upstage, downstage,
            the boards, bare boards, footlights, proscenium, studio theatre, black box theatre,
            black-box theatre, cubicle, at the desk, at my desk, computer desk, gaming chair, monitor glow,
            blackboard, chalkboard, whiteboard, air-raid shelter, air raid shelter, bomb shelter, on the train, on a
            train, on the bus, on a bus, on the subway, on the tube, on the plane, on a plane, behind the front desk,
            at the front desk, front desk of, in her chair, in his chair, windowsill, window sill, dim study, in a
            study, in his study, in her study, shed, wooden shed, garden shed, field station, hut, INT"""
        )
        # Rooms and enclosed places by family, from a systematic list rather than from any one prompt.
        + phrases(
            """the lounge, a lounge, hotel lounge, cocktail lounge, toilet, toilets, crawlspace, crawl space, cargo
            hold, refectory, catacomb, pulpit, kennel, kennels,
            observatory, yurt, igloo, living quarters, crew quarters, in the back seat, in the front seat, back seat
            of, sleeper car, dining car, bridge of the ship, ship's bridge, inside the tent, in the tent, in a tent,
            tent interior, inside the car, in the car, car interior, in the van, inside the van, in the truck cab,
            cab of the truck, in the cab, taxi interior, in the taxi, in the back of a taxi, in a taxi, in the lift,
            in the elevator, convention floor, in the arena, arena tunnel, airlock, in the airlock, cantina,
            hydroponics, aboard the station, aboard the space station, in his bunk, in her bunk, jet bridge, bath tub,
            grooming table, grooming station, wingback chair, on the stairs,
            mission control, at her console, at his console, the module, in the module, hackathon, bothy, woodstove,
            wood stove, by the stove, mudroom, in the police station, inside the police station, in the limousine, in a
            limousine, in a cave, inside a cave, cave interior, in the mine, down the mine, mine shaft, cell
            bars, behind bars, bullpen, squad room, precinct, nicu, incubator, mcdonalds, mcdonald's, starbucks,
            corridor outside"""
        )
        + combine(
            "outside|beyond|through|past|against",
            "the|a|her|his|my|our|the classroom|the kitchen|the bedroom|the office|the car|the train",
            "window|windows|windowpane|window pane",
        )
        + combine(
            "rain|snow|storm|snowing|raining|thunder|night|the city|the garden",
            "outside|outdoors|beyond the window|outside the window|at the window|against the window",
        )
        + combine(
            "climbing|climbs|climbed|climb|walking|walks|walked|going|goes|went",
            "up the|the|down the",
            "stairs|staircase|spiral stairs|spiral staircase|stairwell|stairway",
        ),
        WEAK: phrases(
            """window, by the window, windows, candlelit, candle-lit, by candlelight, house, home, bar, temple,
            reading lamp, lamp, monastery, abbey, mosque,
            ceiling, carpet, curtains"""
        ),
    },
    "studio": {
        EXPLICIT: phrases(
            """studio, photo studio, studio shot, studio lighting, studio light, studio background, studio
            backdrop, studio portrait, photography studio, studio setup, studio photo, soft studio lighting, soft
            studio light, green screen, greenscreen,
            chroma key, against the green screen, in front of a green screen"""
        ),
        SYNONYM: phrases(
            """backdrop, seamless backdrop, seamless, seamless paper, backdrop paper, white seamless, grey seamless,
            gray seamless, softbox, softboxes, cyclorama, cyclorama wall, cyc wall, infinity cove, infinity wall,
            transparent background, no background, without a background, without background, without any
            background, no backdrop, no scenery, without scenery, isolated subject, isolated character, isolated on
            white, isolated on black,
            on white, cutout, cut-out, green screen, greenscreen, blue screen, chroma key, photoshoot, photo
            shoot, product shot, packshot, beauty dish, ring light, seamless white
            background, white bg, no bg, plain bg, sweep, white sweep, paper sweep, seamless sweep, strip light,
            strip lights, striplight, striplights, strip box, stripbox, octabox, light stand, light stands, c-stand,
            umbrella light, shoot-through umbrella, key and fill, clamshell lighting, butterfly lighting, loop
            lighting, three-point lighting, 3-point lighting, beauty lighting, passport photo lighting, headshot
            lighting, product lighting, photo booth, photobooth, on black, on grey, on gray, against white, against
            black, against grey, against gray, on seamless black, on seamless white, on seamless grey, on seamless
            gray, white void, black void, grey void, gray void, lightbox, light tent, catalogue shot, catalog shot,
            headshot session, portrait session, studio session, against pitch black, against pitch-black, soft box,
            soft boxes, soft box lighting, isolated on, nothing behind him but, nothing behind
            her but, nothing behind them but"""
        )
        + phrases(
            """plain white, on plain white, plain black, plain grey, plain gray, on transparent, export on
            transparent, transparent png, alpha background, alpha channel, chroma green, chroma removal, will be
            keyed, for keying, magenta key, velvet drop, black velvet drop, black drop, white cyc, grey cyc, gray
            cyc, white cyclorama, no set, no set dressing, no props, empty background, blank background, blank bg,
            box of light, softbox lighting, gold ground, flat gold ground, plain ground, unmodulated ground,
            unmodulated background, background all white, background is white, background white, white page, the
            white of the page, plain page, blank page, school photographs, school photo, mottled backdrop, photo
            backdrop, white backing, plain backing"""
        )
        + combine(
            "background|bg|backdrop|backing|the background|the bg|the backdrop",
            "all|must be|should be|is|is all|of one|of one solid|in one|in a|all in",
            _PLAIN + "|solid color|solid colour|one colour|one color|single colour|single color|one solid color",
        )
        + combine(_PLAIN, "cloth behind her|cloth behind him|cloth behind|sheet behind her|sheet behind him")
        + combine(_PLAIN, "sweep|card|void|cyc|gradient|paper backdrop|canvas backdrop|muslin|muslin backdrop")
        + combine("|a|an|the", _PLAIN, "wall behind|wall behind her|wall behind him|wall behind them")
        + combine("against|against a|against an|against the|on a|on an|in front of a|in front of an", _PLAIN, "wall")
        + combine(_PLAIN, _GROUND)
        + combine(_GROUND, "is|is a|is just|is plain|in|of|should be|colour|color", _PLAIN)
        + combine(
            "against|on|against a|on a|in front of|over",
            "plain|pure|solid|flat|bright|clean|blank|stark|all",
            "white|black|grey|gray|beige|cream|off-white",
        )
        + combine(
            "on a|on|against a|against|in front of a|over a",
            _PLAIN,
            "sheet|cloth|backcloth|card|board|sheet of paper|surface",
        )
        + combine("on a|on|against a|against|in front of a", _PLAIN, _GROUND),
        WEAK: phrases("character sheet, model sheet, reference sheet, turnaround, turnaround sheet, even lighting"),
    },
}

# Words that cancel the cue just after them in the same clause ("not a close-up").
NEGATORS: Final = phrases(
    """not, no, without, never, nor, neither, nothing, none, isn't, aren't, don't, doesn't, shouldn't, won't,
    wouldn't, can't, cannot, avoid, avoiding, skip, skipping, instead of, rather than, other than, anything but,
    except, minus, no more, less, not just, not only, scratch the, forget the, no need for, dont want, don't want,
    do not want"""
) + combine(
    "don't|do not|dont|never|not",
    "put her|put him|put them|put it|set it|set her|set him|place her|place him|shoot her|shoot him|shoot it",
    "in|on|against|in front of|at",
)

# Words that take back what the prompt said before them, for each field the prompt then speaks to again:
# "full body - actually no, just his face" is a close-up. A clause that is only "no" does the same.
CORRECTIONS: Final = phrases(
    """actually no, no wait, wait no, scratch that, on second thought, on second thoughts, or rather, i mean,
    correction, make that, change that to, change it to, let's do, lets do, better make it, no actually"""
)

# Cues with a free word inside, which a phrase cannot spell: (regular expression over the lower-cased prompt,
# field, value, strength). Each is read like a phrase: a negation before its first word cancels it.
_OWNER: Final = r"(?:(?:my|his|her|their|its|our|your|the|a|an)\s+)?(?:[\w-]+\s+)?(?:[\w-]+(?:'s|s')\s+)?"
PATTERN_CUES: Final[tuple[tuple[str, str, str, int], ...]] = (
    # "just the silverback's face", "only Nana's hands", "just my head": the part is all the frame shows.
    (
        rf"\b(?:just|only|nothing but)\s+{_OWNER}(?:face|head|eyes|hands|skull-face|mouth|lips)\b",
        "shotType",
        "close-up",
        SYNONYM,
    ),
    # "the whole beach-bum traveller visible": the whole subject in frame, with up to two free words.
    (
        r"\b(?:whole|entire)\s+(?:[\w-]+\s+){1,2}?(?:visible|in frame|in the frame|in shot|in the shot)\b",
        "shotType",
        "full-body",
        SYNONYM,
    ),
    # "up the steps to the convention center entrance", "the Sagrada Familia facade": the outside of a building.
    (
        r"\b(?:the|a|an|its|their)\s+(?:[\w'-]+\s+){0,2}?(?:entrance|facade|façade|forecourt|doorstep|front steps|front"
        r" gate)\b",
        "setting",
        "outdoor",
        SYNONYM,
    ),
    # "reading by the cottage window": by a window or fire of a building is inside it.
    (
        r"\bby\s+the\s+(?:[\w'-]+\s+)?(?:cottage|cabin|house|kitchen|bedroom|library|shop|farmhouse|office)\s+"
        r"(?:window|fire|fireplace|hearth|stove)\b",
        "setting",
        "indoor",
        SYNONYM,
    ),
    # "solid burgundy background", "flat brand-blue wall": any colour, one word.
    (
        r"\b(?:solid|flat|plain|seamless|single-colou?r)\s+[\w-]+\s+(?:background|backdrop|bg|backround|wall|backing"
        r"|sweep|ground)\b",
        "setting",
        "studio",
        SYNONYM,
    ),
    # "riders tiny", "everyone small", "tiny me": the subject is small in the picture.
    (
        r"\b(?:tiny|small)\s+(?:me|us)\b"
        r"|\b(?:riders|figures|everyone|everybody|people|players|dancers)\s+(?:are\s+|look\s+)?(?:tiny|small)\b"
        r"|\b(?:he|she|they|it)\s+(?:is|are|'s|looks|look)\s+(?:very\s+|so\s+|really\s+|only\s+)?(?:tiny|small)\b",
        "shotType",
        "wide",
        SYNONYM,
    ),
    # "gentle rain pattering outside", "bombs outside": weather or war beyond the walls puts the picture inside.
    (
        r"\b(?:rain|snow|storm|wind|bombs?|thunder|lightning|gunfire|shelling|sirens?|fireworks)\b[^,.;:!?]{1,25}?"
        r"\boutside\b",
        "setting",
        "indoor",
        SYNONYM,
    ),
    # "outside her shuttered restaurant", "behind the laundromat": beside a building, with one free word.
    (
        r"\b(?:outside|behind|in front of|out front of)\s+(?:the|a|an|her|his|their|my|our|its)\s+(?:[\w'-]+\s+)?"
        r"(?:restaurant|cafe|café|shop|store|house|home|school|church|bar|pub|station|hotel|hospital|bakery|building"
        r"|office|factory|warehouse|laundromat|launderette|theatre|theater|museum|library|mall|bank|gym|barn|cottage"
        r"|cabin|diner|motel|inn|tavern|temple|shrine|chapel|cathedral|castle|palace|tower|garage|workshop|saloon)\b"
        r"(?!\s+(?:counter|bar|desk|door|window|glass|curtain|till|register|kitchen|floor))",
        "setting",
        "outdoor",
        SYNONYM,
    ),
    # "against a flat pastel pink", "on plain paper-white": a plain colour behind the subject, named by its colour.
    (
        r"\b(?:against|on|over)\s+(?:a\s+)?(?:flat|plain|solid|seamless|blank)\s+[\w-]+(?:\s+[\w-]+)?"
        r"(?:\s*(?:[,.;!?]|$)|\s+(?:for|as|so|with|behind)\b)"
        # ..., or a clause that is only the colour: "cropped at the knees, solid yellow".
        r"|(?:^|[,;]\s*)(?:solid|flat|plain)\s+[\w-]+\s*(?:[,.;!?]|$)",
        "setting",
        "studio",
        SYNONYM,
    ),
)

# Words that end a clause, so a negation before them does not reach past them ("not dramatic but calm").
# Punctuation ends a clause too; that lives in the tokenizer.
CLAUSE_BREAKS: Final = phrases("but, instead, however, although, though, whereas, actually, just, only, rather")

# Phrases that contain a cue word but mean something else: matched (and so consumed) so their parts
# are not read as cues. "standing in front of a castle" says nothing about the camera angle.
NON_CUES: Final = (
    phrases(
        """in front of, front of, in front, up front, front door, front row, front desk, front page, front seat, front
    pocket, sales pitch, elevator pitch, front teeth, front line,
    cold front, storefront, shop front, wide-eyed, wide eyed, wide with, went wide, grew wide, go wide, eyes wide,
    eyes wide
    open, wide open, wide awake, wide smile, wide grin, wide-brimmed, wide brimmed, wide brim, wide hips, wide
    shoulders, wide-shouldered, wide stance, wide variety, wide range, wide array, wide selection, wide leg,
    wide-leg, wide sleeves, wide belt, wide collar, wide mouth, far and wide, world wide, depth of field, shallow
    depth of field, field of view, force field, medium length, medium-length, medium hair, medium-sized, medium
    sized, medium build, medium height, medium size, medium rare, medium brown, medium skin, medium format, medium
    dark, side by side, by her side, by his side, by their side, by the side of, on her side, on his side, side
    part, side ponytail, side braid, side bangs, side swept, side-swept, side table, side door, side dish, side
    quest, side character, side eye, side-eye, side bag, side pocket, back to back, back-to-back, backpack, lower
    back, back story, back pain, back home, back then, back in, come back, comes back, coming back, came back,
    back seat, back door, on her back, on his back, on their back, on its back, lying on her back, lying on his
    back, arched back, back muscles, holding back, held back, hair back, hair pulled back, pulled-back hair,
    slicked back, slicked-back, swept back, kicked back, kick back, sit back, sitting back, leaning back, looking
    back, look back, looks back, face paint, face mask, face tattoo, face the facts, studio ghibli, studio
    executive, studio quality, animation studio, game studio, film studio, action figure, action figures, live
    action, live-action, action item, call to action, dramatic personality, dramatic flair, drama club, profile
    page, company profile, user profile, dating profile, social media profile, low profile, high profile,
    high-profile, portrait orientation, portrait mode, portrait format, portrait aspect, landscape orientation,
    landscape mode, landscape format, landscape aspect, sky blue, sky-blue, sea green, sea-green, forest green,
    forest-green, ocean blue, snow white, street clothes, street fashion, street style, streetwear, bridge of her
    nose, bridge of his nose, nose bridge, full moon, full beard, full lips, full sleeve, full armor, full armour,
    low angle, high angle, dutch angle, low-angle, high-angle, eye level, eye-level, worm's eye view, worm's-eye
    view, worms eye view, close to her, close to him, close to them, close friends, close friend, angled brows,
    angled eyebrows, angled bangs, angled bob, three-quarter sleeves, three quarter sleeves, 3/4 sleeves,
    rear-view mirror, rearview mirror, falling snow, snow falling, falling leaves, leaves falling, falling petals,
    petals falling, reading glasses, peace sign, character study, christmas tree, flat colours, flat colors, north
    face, sheer face, face of the cliff, face of the mountain, coal face, clock face, face value, face down, face-down,
    about face, home front, every face, on every face, short side, long side, on the side, sweep of, medium weight,
    medium-weight, medium-size, mixed media, wide variant, wide release, wide banner, wide version, widescreen, wide
    screen, make it wide, wide format, wide aspect, wide crop, wide wallpaper, wide world, side tail, side-tail,
    side quests, side hustle, side project, side mission, side missions, back-up, backup, back up, back to scene,
    back to the scene, back cover, back piece, backpiece, back tattoo, back of a truck, back of the truck, back of a
    flatbed, back of the field, back of the stalls, back of the upper circle, back of the room, back of the hall,
    back of the bus, back of the class, back of the crowd, back of the stands, back of the church, back of the
    theatre, back of the theater, back of the line, back of the queue, front room, front cover, front
    man, frontman, studio album, studio lead, our studio, ghibli, send fast, fast turnaround, close
    ticket, close the ticket, close out, close shop, palm sized, palm-sized, full set, full colour, full color, full
    sheet, full page, full-page, full spread, whole sheet, entire sheet, portrait way round, tall picture, portrait
    slot, landscape painter, landscape pieces, landscape piece, ao3 profile, my profile, for my profile, side plank,
    back row, back panel, card back, back of
    the card, back design, back to the drawing board, yoga mat, blood bowl, broken-down, broken down, race car,
    racecar, race-car, close up shop, she's back, he's back, they're back, is back, i'm back, we're back, back
    again, welcome back, at her back, at his back, at their back, storm at her back, no background needed, no bg
    needed, flipping the sign, throwing a peace sign, throws a peace sign, throwing up a peace sign, throwing a shaka,
    skipping rope,
    climbing frame, runs a, cozy mystery, cosy mystery, inside cover, inside front cover, inside back cover,
    cathedral-length, cathedral length, chapel-length,
    chapel length, shop sign, shop window, for the shop window, lighthouse keeper, lighthouse keeper's, side dish, side
    dishes, side panel, side effects, side effect, side route, side gallery, side light,
    side lighting, harsh side light, side-eyeing, side eyeing, side menu, sidebar, side bar, side story, back
    catalogue, back catalog, back of the pickup, back of a pickup, back of his pill bottle, back of the bottle, back of
    the box, back of the label, back to the fire, back to the wall, back against the wall, back to the wind, back to
    the sea, back to the sun, no background
    required, no background necessary, no bg necessary, sea captain, sea dog, sea shanty, sea salt, with stars in it"""
    )
    + combine(
        "from the back of the|at the back of the|in the back of the|from the back of a|at the back of a",
        "field|stalls|upper circle|circle|room|hall|theatre|theater|auditorium|crowd|stands|church|bus|class|classroom"
        "|van|truck|car|line|queue|house|arena|stadium|venue|audience|gallery|balcony|court|pitch",
    )
    + combine(
        "light|lit|lighting|lamp|glow|sun|sunlight|window light|key light|hard light|soft light|one hard light"
        "|one light"
        "|a light|the light",
        "from the side|from one side|from the front|coming from the side|coming in from the side",
    )
    + combine(
        "truck|dolly|push|pan|zoom|tilt|crane|track|pull",
        "|in|out|left|right|up|down|back",
        "slowly|slow",
    )
    + combine("slowly|slow", "push in|pan|zoom in|zoom out|dolly in|truck in|pull back|pull out|tilt up|tilt down")
    # "head on her bag" is where a head rests, not a head-on camera.
    + combine(
        "head on|her head on|his head on",
        "her|his|their|my|the|a",
        "bag|arm|arms|shoulder|hand|hands|knees|pillow|desk|table|lap|chest|paws",
    )
)

# Words that carry no content for matching references against the prompt.
STOPWORDS: Final[frozenset[str]] = frozenset(
    {
        # English function words.
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "nor",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "with",
        "by",
        "from",
        "as",
        "into",
        "onto",
        "over",
        "under",
        "through",
        "up",
        "down",
        "out",
        "off",
        "about",
        "above",
        "below",
        "between",
        "against",
        "during",
        "before",
        "after",
        "while",
        "until",
        "again",
        "further",
        "then",
        "once",
        "here",
        "there",
        "when",
        "where",
        "why",
        "how",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "if",
        "because",
        "so",
        "than",
        "too",
        "very",
        "just",
        "also",
        "only",
        "own",
        "same",
        "such",
        "some",
        "any",
        "all",
        "both",
        "each",
        "few",
        "more",
        "most",
        "other",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "am",
        "do",
        "does",
        "did",
        "doing",
        "have",
        "has",
        "had",
        "having",
        "can",
        "could",
        "will",
        "would",
        "shall",
        "should",
        "may",
        "might",
        "must",
        "it",
        "its",
        "it's",
        "this",
        "that",
        "these",
        "those",
        "i",
        "me",
        "my",
        "we",
        "us",
        "our",
        "you",
        "your",
        "he",
        "him",
        "his",
        "she",
        "her",
        "hers",
        "they",
        "them",
        "their",
        "theirs",
        "himself",
        "herself",
        "itself",
        "themselves",
        "one",
        # Negators: they steer the analysis but are not something to find in a reference.
        "not",
        "no",
        "without",
        "never",
        "isn't",
        "aren't",
        "don't",
        "doesn't",
        "shouldn't",
        "avoid",
        "avoiding",
        "instead",
        "rather",
        "however",
        "although",
        "though",
        "whereas",
        "actually",
        "neither",
        "nothing",
        "none",
        "won't",
        "wouldn't",
        "can't",
        "cannot",
        "except",
        "minus",
        "less",
        "skip",
        "skipping",
        "pls",
        "plz",
        # Prompt filler: words every prompt uses to ask for an image, which would match any reference.
        "image",
        "picture",
        "show",
        "shows",
        "showing",
        "make",
        "please",
        "generate",
        "create",
        "render",
        "draw",
        "depict",
        "depicting",
        "featuring",
        "shot",
        "view",
    }
)
