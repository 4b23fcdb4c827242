//! Meta's Flow JSON as data: every component and action, each property
//! with its JSON type, allowed values, limits, whether it is required, and
//! the Flow JSON version that brought it. The schema rules
//! (`properties`) and the generated docs both read this one table.
//!
//! Sources, cited per entry:
//! * components: <https://developers.facebook.com/docs/whatsapp/flows/reference/components>
//! * media upload: <https://developers.facebook.com/docs/whatsapp/flows/reference/media_upload>
//! * Flow JSON (screens, layout, actions): <https://developers.facebook.com/docs/whatsapp/flows/reference/flowjson>
//! * versions: <https://developers.facebook.com/docs/whatsapp/flows/changelogs>
//!
//! Where sources leave a property out that Meta's own examples or the
//! pywa library (which keeps Meta's examples as test data) use, it is
//! listed too: an unknown-property error on a property Meta accepts would
//! block a valid flow. Character limits that Meta's own examples exceed
//! (EmbeddedLink's 25) are left out for the same reason.

/// A Flow JSON version as (major, minor).
pub type Version = (u32, u32);

pub(crate) const V2_1: Version = (2, 1);
pub(crate) const V4_0: Version = (4, 0);
pub(crate) const V5_0: Version = (5, 0);
pub(crate) const V5_1: Version = (5, 1);
pub(crate) const V6_0: Version = (6, 0);
pub(crate) const V6_1: Version = (6, 1);
pub(crate) const V6_2: Version = (6, 2);
pub(crate) const V6_3: Version = (6, 3);
pub(crate) const V7_0: Version = (7, 0);
pub(crate) const V7_1: Version = (7, 1);

pub(crate) const COMPONENTS_PAGE: &str =
    "https://developers.facebook.com/docs/whatsapp/flows/reference/components";
pub(crate) const MEDIA_UPLOAD_PAGE: &str =
    "https://developers.facebook.com/docs/whatsapp/flows/reference/media_upload";
pub(crate) const FLOW_JSON_PAGE: &str =
    "https://developers.facebook.com/docs/whatsapp/flows/reference/flowjson";
pub(crate) const ERROR_CODES_PAGE: &str =
    "https://developers.facebook.com/docs/whatsapp/flows/reference/error-codes";
pub(crate) const CHANGELOG_PAGE: &str =
    "https://developers.facebook.com/docs/whatsapp/flows/changelogs";

/// The JSON a property holds. Any property may instead hold a dynamic
/// string (`${data.x}`, `${form.x}`, `${screen.S.data.x}`, or from 6.0 an
/// expression using them), which the type, value and limit rules skip.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueType {
    String,
    Boolean,
    /// A JSON integer; a string of digits is accepted too, as Meta's own
    /// tables call `max-chars` a String.
    Integer,
    Number,
    Object,
    /// An array of strings (checked against `values` when it has some).
    Strings,
    /// A string or an object (CalendarPicker's range mode, `init-values`).
    StringOrObject,
    /// A boolean or an object (CalendarPicker's `required` in range mode).
    BooleanOrObject,
    /// A string or an array of strings (RichText's `text`).
    StringOrStrings,
    /// An action object (`on-click-action`, …).
    Action,
    /// An array of components.
    Components,
    /// A Switch's map of case to components.
    Cases,
    /// An array of objects of the given kind.
    Items(ItemKind),
    /// Anything (payloads).
    Any,
}

/// The objects an `Items` array holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemKind {
    /// `data-source` options: `id` and `title` required.
    DataSource,
    /// NavigationList `list-items`.
    ListItem,
    /// ImageCarousel `images`.
    CarouselImage,
}

/// One property of a component, action, or other Flow JSON object.
#[derive(Clone, Copy, Debug)]
pub struct Property {
    pub name: &'static str,
    pub value: ValueType,
    /// Required from this version on (`None`: optional).
    pub required_since: Option<Version>,
    /// The version that brought it.
    pub since: Version,
    /// Allowed values (strings), empty when any will do.
    pub values: &'static [&'static str],
    /// Most characters in a static string.
    pub max_chars: Option<usize>,
    /// Fewest and most items in a static array.
    pub items: Option<(usize, usize)>,
    /// Smallest and largest static integer.
    pub range: Option<(i64, i64)>,
    /// For an action property: the actions allowed, each with the version
    /// from which it is allowed here.
    pub actions: &'static [(&'static str, Version)],
}

const fn prop(name: &'static str, value: ValueType) -> Property {
    Property {
        name,
        value,
        required_since: None,
        since: V2_1,
        values: &[],
        max_chars: None,
        items: None,
        range: None,
        actions: &[],
    }
}

impl Property {
    const fn required(mut self) -> Self {
        self.required_since = Some(V2_1);
        self
    }
    const fn required_since(mut self, version: Version) -> Self {
        self.required_since = Some(version);
        self
    }
    const fn since(mut self, version: Version) -> Self {
        self.since = version;
        self
    }
    const fn one_of(mut self, values: &'static [&'static str]) -> Self {
        self.values = values;
        self
    }
    const fn max_chars(mut self, max: usize) -> Self {
        self.max_chars = Some(max);
        self
    }
    const fn items(mut self, min: usize, max: usize) -> Self {
        self.items = Some((min, max));
        self
    }
    const fn range(mut self, min: i64, max: i64) -> Self {
        self.range = Some((min, max));
        self
    }
    const fn actions(mut self, actions: &'static [(&'static str, Version)]) -> Self {
        self.actions = actions;
        self
    }

    /// Whether a document of this version must set it.
    pub(crate) fn is_required_in(&self, version: Option<Version>) -> bool {
        match (self.required_since, version) {
            (None, _) => false,
            (Some(since), Some(v)) => v >= since,
            // Version unknown: only what every version requires.
            (Some(since), None) => since == V2_1,
        }
    }
}

/// A component type.
#[derive(Debug)]
pub struct Component {
    pub name: &'static str,
    pub since: Version,
    pub properties: &'static [Property],
    /// An input whose value `${form.name}` reads; before 4.0 it must be
    /// inside a Form.
    pub input: bool,
    pub source: &'static str,
}

/// An action (`on-click-action` and the like hold one).
#[derive(Debug)]
pub struct Action {
    pub name: &'static str,
    pub since: Version,
    pub properties: &'static [Property],
    pub source: &'static str,
}

use ValueType::*;

const TYPE: Property = prop("type", String).required();
const VISIBLE: Property = prop("visible", Boolean);
const ENABLED: Property = prop("enabled", Boolean);
const REQUIRED: Property = prop("required", Boolean);
const NAME: Property = prop("name", String).required();
/// An input's error text (4.0 on).
const ERROR_MESSAGE_V4: Property = prop("error-message", String).since(V4_0);
/// What a selection input does when an option is cleared (6.0 on).
const ON_UNSELECT: Property = prop("on-unselect-action", Action)
    .since(V6_0)
    .actions(UNSELECT_ACTIONS);
/// What a selection input does when an option is chosen.
const ON_SELECT: Property = prop("on-select-action", Action).actions(SELECT_ACTIONS);
/// The initial value of a text or single-choice input (4.0 on).
const INIT_TEXT: Property = prop("init-value", String).since(V4_0);
const FONT_WEIGHTS: &[&str] = &["bold", "italic", "bold_italic", "normal"];
const MEDIA_SIZES: &[&str] = &["regular", "large"];
const SCALE_TYPES: &[&str] = &["cover", "contain"];
const LABEL_VARIANTS: &[&str] = &["large"];
const WEEKDAYS: &[&str] = &["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// `data_exchange` everywhere an endpoint may be asked; `update_data` from 6.0.
const SELECT_ACTIONS: &[(&str, Version)] = &[("data_exchange", V2_1), ("update_data", V6_0)];
const UNSELECT_ACTIONS: &[(&str, Version)] = &[("update_data", V6_0)];
const LINK_ACTIONS: &[(&str, Version)] = &[
    ("data_exchange", V2_1),
    ("navigate", V2_1),
    ("open_url", V6_0),
];

/// TextHeading and TextSubheading: one line of at most 80 characters.
const HEADING: &[Property] = &[TYPE, prop("text", String).required().max_chars(80), VISIBLE];

const fn heading(name: &'static str) -> Component {
    Component {
        name,
        since: V2_1,
        properties: HEADING,
        input: false,
        source: COMPONENTS_PAGE,
    }
}

/// Every component, in the order of Meta's components page.
pub static COMPONENTS: &[Component] = &[
    heading("TextHeading"),
    heading("TextSubheading"),
    Component {
        name: "TextBody",
        since: V2_1,
        properties: &[
            TYPE,
            // From 5.1 (markdown) also an array of lines, as Meta's examples have.
            prop("text", StringOrStrings).required().max_chars(4096),
            prop("font-weight", String).one_of(FONT_WEIGHTS),
            prop("strikethrough", Boolean),
            VISIBLE,
            prop("markdown", Boolean).since(V5_1),
        ],
        input: false,
        source: COMPONENTS_PAGE,
    },
    Component {
        name: "TextCaption",
        since: V2_1,
        properties: &[
            TYPE,
            // From 5.1 (markdown) also an array of lines, as Meta's examples have.
            prop("text", StringOrStrings).required().max_chars(409),
            prop("font-weight", String).one_of(FONT_WEIGHTS),
            prop("strikethrough", Boolean),
            VISIBLE,
            prop("markdown", Boolean).since(V5_1),
        ],
        input: false,
        source: COMPONENTS_PAGE,
    },
    Component {
        name: "RichText",
        since: V5_1,
        properties: &[TYPE, prop("text", StringOrStrings).required(), VISIBLE],
        input: false,
        source: COMPONENTS_PAGE,
    },
    Component {
        name: "TextInput",
        since: V2_1,
        properties: &[
            TYPE,
            prop("label", String).required().max_chars(20),
            prop("input-type", String)
                .one_of(&["text", "number", "email", "password", "passcode", "phone"]),
            prop("pattern", String).since(V6_2),
            REQUIRED,
            prop("min-chars", Integer),
            prop("max-chars", Integer),
            prop("helper-text", String).max_chars(80),
            NAME,
            VISIBLE,
            ENABLED,
            INIT_TEXT,
            prop("error-message", String).since(V4_0).max_chars(30),
            prop("label-variant", String)
                .since(V7_0)
                .one_of(LABEL_VARIANTS),
        ],
        input: true,
        source: COMPONENTS_PAGE,
    },
    Component {
        name: "TextArea",
        since: V2_1,
        properties: &[
            TYPE,
            prop("label", String).required().max_chars(20),
            REQUIRED,
            prop("max-length", Integer),
            NAME,
            prop("helper-text", String).max_chars(80),
            ENABLED,
            VISIBLE,
            INIT_TEXT,
            ERROR_MESSAGE_V4,
            prop("label-variant", String)
                .since(V7_0)
                .one_of(LABEL_VARIANTS),
        ],
        input: true,
        source: COMPONENTS_PAGE,
    },
    Component {
        name: "CheckboxGroup",
        since: V2_1,
        properties: &[
            TYPE,
            prop("data-source", Items(ItemKind::DataSource))
                .required()
                .items(1, 20),
            NAME,
            prop("min-selected-items", Integer),
            prop("max-selected-items", Integer),
            ENABLED,
            prop("label", String).required_since(V4_0).max_chars(30),
            REQUIRED,
            VISIBLE,
            ON_SELECT,
            ON_UNSELECT,
            prop("description", String).since(V4_0).max_chars(300),
            prop("init-value", Strings).since(V4_0),
            ERROR_MESSAGE_V4,
            prop("media-size", String).since(V5_0).one_of(MEDIA_SIZES),
        ],
        input: true,
        source: COMPONENTS_PAGE,
    },
    Component {
        name: "RadioButtonsGroup",
        since: V2_1,
        properties: &[
            TYPE,
            prop("data-source", Items(ItemKind::DataSource))
                .required()
                .items(1, 20),
            NAME,
            ENABLED,
            prop("label", String).required_since(V4_0).max_chars(30),
            REQUIRED,
            VISIBLE,
            ON_SELECT,
            ON_UNSELECT,
            prop("description", String).since(V4_0).max_chars(300),
            INIT_TEXT,
            ERROR_MESSAGE_V4,
            prop("media-size", String).since(V5_0).one_of(MEDIA_SIZES),
        ],
        input: true,
        source: COMPONENTS_PAGE,
    },
    Component {
        name: "Dropdown",
        since: V2_1,
        properties: &[
            TYPE,
            prop("label", String).required().max_chars(20),
            // 200 options, or 100 when they have images (checked apart).
            prop("data-source", Items(ItemKind::DataSource))
                .required()
                .items(1, 200),
            NAME,
            REQUIRED,
            ENABLED,
            VISIBLE,
            ON_SELECT,
            ON_UNSELECT,
            INIT_TEXT,
            ERROR_MESSAGE_V4,
        ],
        input: true,
        source: COMPONENTS_PAGE,
    },
    Component {
        name: "ChipsSelector",
        since: V6_3,
        properties: &[
            TYPE,
            prop("data-source", Items(ItemKind::DataSource))
                .required()
                .items(2, 20),
            NAME,
            prop("min-selected-items", Integer),
            prop("max-selected-items", Integer),
            ENABLED,
            prop("label", String).required().max_chars(80),
            REQUIRED,
            VISIBLE,
            ON_SELECT,
            prop("on-unselect-action", Action).actions(UNSELECT_ACTIONS),
            prop("description", String).max_chars(300),
            prop("init-value", Strings),
            prop("error-message", String),
        ],
        input: true,
        source: COMPONENTS_PAGE,
    },
    Component {
        name: "Footer",
        since: V2_1,
        properties: &[
            TYPE,
            prop("label", String).required().max_chars(35),
            prop("left-caption", String).max_chars(15),
            prop("center-caption", String).max_chars(15),
            prop("right-caption", String).max_chars(15),
            ENABLED,
            VISIBLE,
            prop("on-click-action", Action).required().actions(&[
                ("navigate", V2_1),
                ("complete", V2_1),
                ("data_exchange", V2_1),
            ]),
        ],
        input: false,
        source: COMPONENTS_PAGE,
    },
    Component {
        name: "OptIn",
        since: V2_1,
        properties: &[
            TYPE,
            prop("label", String).required().max_chars(120),
            REQUIRED,
            NAME,
            prop("on-click-action", Action).actions(LINK_ACTIONS),
            prop("on-select-action", Action)
                .since(V6_0)
                .actions(UNSELECT_ACTIONS),
            ON_UNSELECT,
            VISIBLE,
            ENABLED,
            prop("init-value", Boolean).since(V4_0),
        ],
        input: true,
        source: COMPONENTS_PAGE,
    },
    Component {
        name: "EmbeddedLink",
        since: V2_1,
        properties: &[
            TYPE,
            prop("text", String).required(),
            prop("on-click-action", Action)
                .required()
                .actions(LINK_ACTIONS),
            VISIBLE,
        ],
        input: false,
        source: COMPONENTS_PAGE,
    },
    Component {
        name: "DatePicker",
        since: V2_1,
        properties: &[
            TYPE,
            prop("label", String).required().max_chars(40),
            prop("min-date", String),
            prop("max-date", String),
            NAME,
            prop("unavailable-dates", Strings),
            VISIBLE,
            prop("helper-text", String).max_chars(80),
            ENABLED,
            REQUIRED,
            prop("on-select-action", Action).actions(&[("data_exchange", V2_1)]),
            INIT_TEXT,
            prop("error-message", String).since(V4_0).max_chars(80),
        ],
        input: true,
        source: COMPONENTS_PAGE,
    },
    Component {
        name: "CalendarPicker",
        since: V6_1,
        properties: &[
            TYPE,
            NAME,
            prop("title", String).max_chars(80),
            prop("description", String).max_chars(300),
            prop("label", StringOrObject).required().max_chars(40),
            prop("helper-text", StringOrObject).max_chars(80),
            prop("required", BooleanOrObject),
            VISIBLE,
            ENABLED,
            prop("mode", String).one_of(&["single", "range"]),
            prop("min-date", String),
            prop("max-date", String),
            prop("unavailable-dates", Strings),
            prop("include-days", Strings).one_of(WEEKDAYS),
            prop("min-days", Integer),
            prop("max-days", Integer),
            prop("on-select-action", Action).actions(&[("data_exchange", V2_1)]),
            prop("init-value", StringOrObject),
            prop("error-message", StringOrObject).max_chars(80),
        ],
        input: true,
        source: COMPONENTS_PAGE,
    },
    Component {
        name: "Image",
        since: V2_1,
        properties: &[
            TYPE,
            prop("src", String).required(),
            prop("width", Integer),
            prop("height", Integer),
            prop("scale-type", String).one_of(SCALE_TYPES),
            prop("aspect-ratio", Number),
            prop("alt-text", String),
            VISIBLE,
        ],
        input: false,
        source: COMPONENTS_PAGE,
    },
    Component {
        name: "ImageCarousel",
        since: V7_1,
        properties: &[
            TYPE,
            prop("images", Items(ItemKind::CarouselImage))
                .required()
                .items(1, 3),
            prop("aspect-ratio", String),
            prop("scale-type", String).one_of(SCALE_TYPES),
            VISIBLE,
        ],
        input: false,
        source: COMPONENTS_PAGE,
    },
    Component {
        name: "PhotoPicker",
        since: V4_0,
        properties: &[
            TYPE,
            NAME,
            prop("label", String).required().max_chars(80),
            prop("description", String).max_chars(300),
            prop("photo-source", String).one_of(&["camera_gallery", "camera", "gallery"]),
            prop("max-file-size-kb", Integer).range(1, 25600),
            prop("min-uploaded-photos", Integer).range(0, 30),
            prop("max-uploaded-photos", Integer).range(1, 30),
            ENABLED,
            VISIBLE,
            prop("error-message", String),
        ],
        input: true,
        source: MEDIA_UPLOAD_PAGE,
    },
    Component {
        name: "DocumentPicker",
        since: V4_0,
        properties: &[
            TYPE,
            NAME,
            prop("label", String).required().max_chars(80),
            prop("description", String).max_chars(300),
            prop("max-file-size-kb", Integer).range(1, 25600),
            prop("min-uploaded-documents", Integer).range(0, 30),
            prop("max-uploaded-documents", Integer).range(1, 30),
            prop("allowed-mime-types", Strings),
            ENABLED,
            VISIBLE,
            prop("error-message", String),
        ],
        input: true,
        source: MEDIA_UPLOAD_PAGE,
    },
    Component {
        name: "NavigationList",
        since: V6_2,
        properties: &[
            TYPE,
            NAME,
            prop("list-items", Items(ItemKind::ListItem))
                .required()
                .items(1, 20),
            // Meta truncates a longer label (80) or description (300):
            // not an error.
            prop("label", String),
            prop("description", String),
            prop("media-size", String).one_of(MEDIA_SIZES),
            prop("on-click-action", Action).actions(&[("data_exchange", V2_1), ("navigate", V2_1)]),
            VISIBLE,
        ],
        input: false,
        source: COMPONENTS_PAGE,
    },
    Component {
        name: "If",
        since: V4_0,
        properties: &[
            TYPE,
            prop("condition", String).required(),
            prop("then", Components).required(),
            prop("else", Components),
            VISIBLE,
        ],
        input: false,
        source: COMPONENTS_PAGE,
    },
    Component {
        name: "Switch",
        since: V4_0,
        properties: &[
            TYPE,
            prop("value", String).required(),
            prop("cases", Cases).required(),
            VISIBLE,
        ],
        input: false,
        source: COMPONENTS_PAGE,
    },
    Component {
        name: "Form",
        since: V2_1,
        properties: &[
            TYPE,
            NAME,
            prop("children", Components).required(),
            prop("init-values", StringOrObject),
            prop("error-messages", StringOrObject),
            VISIBLE,
        ],
        input: false,
        source: FLOW_JSON_PAGE,
    },
];

/// The properties of an option in `data-source`.
pub(crate) static DATA_SOURCE_ITEM: &[Property] = &[
    prop("id", String).required(),
    prop("title", String).required().max_chars(30),
    prop("description", String).max_chars(300),
    prop("metadata", String).max_chars(20),
    prop("enabled", Boolean),
    prop("image", String).since(V5_0),
    prop("alt-text", String).since(V5_0),
    prop("color", String).since(V5_0),
    prop("on-select-action", Action)
        .since(V6_0)
        .actions(UNSELECT_ACTIONS),
    ON_UNSELECT,
];

/// The properties of a NavigationList item.
pub(crate) static LIST_ITEM: &[Property] = &[
    prop("id", String).required(),
    prop("main-content", Object).required(),
    prop("start", Object),
    prop("end", Object),
    prop("badge", String).max_chars(15),
    prop("tags", Strings).items(0, 3),
    prop("on-click-action", Action).actions(&[("data_exchange", V2_1), ("navigate", V2_1)]),
];

/// A NavigationList item's `main-content`, `end` and `start`.
pub(crate) static LIST_ITEM_MAIN_CONTENT: &[Property] = &[
    prop("title", String).required(),
    prop("description", String),
    prop("metadata", String),
];
pub(crate) static LIST_ITEM_END: &[Property] = &[
    prop("title", String),
    prop("description", String),
    prop("metadata", String),
];
pub(crate) static LIST_ITEM_START: &[Property] =
    &[prop("image", String).required(), prop("alt-text", String)];

/// A navigate action's `next`: a screen (or a plugin, which pywa knows).
pub(crate) static NAVIGATE_NEXT: &[Property] = &[
    prop("type", String).one_of(&["screen", "plugin"]),
    prop("name", String).required(),
];

/// The properties of an ImageCarousel image.
pub(crate) static CAROUSEL_IMAGE: &[Property] = &[
    prop("src", String).required(),
    prop("alt-text", String).required(),
];

/// Every action.
pub static ACTIONS: &[Action] = &[
    Action {
        name: "navigate",
        since: V2_1,
        properties: &[
            prop("name", String).required(),
            prop("next", Object).required(),
            prop("payload", Any),
        ],
        source: FLOW_JSON_PAGE,
    },
    Action {
        name: "complete",
        since: V2_1,
        properties: &[prop("name", String).required(), prop("payload", Any)],
        source: FLOW_JSON_PAGE,
    },
    Action {
        name: "data_exchange",
        since: V2_1,
        properties: &[prop("name", String).required(), prop("payload", Any)],
        source: FLOW_JSON_PAGE,
    },
    Action {
        name: "update_data",
        since: V6_0,
        properties: &[prop("name", String).required(), prop("payload", Any)],
        source: FLOW_JSON_PAGE,
    },
    Action {
        name: "open_url",
        since: V6_0,
        properties: &[
            prop("name", String).required(),
            prop("url", String).required(),
        ],
        source: FLOW_JSON_PAGE,
    },
];

/// The properties of a screen.
pub(crate) static SCREEN: &[Property] = &[
    prop("id", String).required(),
    prop("terminal", Boolean),
    prop("success", Boolean),
    prop("title", String),
    prop("data", Any),
    prop("layout", Object).required(),
    prop("refresh_on_back", Boolean),
    prop("sensitive", Strings).since(V5_1),
];

/// The properties of a screen's `layout`.
pub(crate) static LAYOUT: &[Property] = &[
    prop("type", String)
        .required()
        .one_of(&["SingleColumnLayout"]),
    prop("children", Components).required(),
];

pub fn component(name: &str) -> Option<&'static Component> {
    COMPONENTS.iter().find(|c| c.name == name)
}

pub fn action(name: &str) -> Option<&'static Action> {
    ACTIONS.iter().find(|a| a.name == name)
}

/// "7.1" for (7, 1).
pub fn version_text(version: Version) -> std::string::String {
    format!("{}.{}", version.0, version.1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_component_meta_lists_is_catalogued_once() {
        let names: Vec<&str> = COMPONENTS.iter().map(|c| c.name).collect();
        let unique: HashSet<&str> = names.iter().copied().collect();
        assert_eq!(unique.len(), names.len(), "{names:?}");
        for expected in [
            "TextHeading",
            "TextSubheading",
            "TextBody",
            "TextCaption",
            "RichText",
            "TextInput",
            "TextArea",
            "CheckboxGroup",
            "RadioButtonsGroup",
            "Dropdown",
            "ChipsSelector",
            "DatePicker",
            "CalendarPicker",
            "OptIn",
            "EmbeddedLink",
            "Image",
            "ImageCarousel",
            "PhotoPicker",
            "DocumentPicker",
            "NavigationList",
            "If",
            "Switch",
            "Form",
            "Footer",
        ] {
            assert!(unique.contains(expected), "{expected} missing");
        }
        let actions: Vec<&str> = ACTIONS.iter().map(|a| a.name).collect();
        assert_eq!(
            actions,
            [
                "navigate",
                "complete",
                "data_exchange",
                "update_data",
                "open_url"
            ]
        );
    }

    #[test]
    fn every_component_has_a_type_its_properties_once_and_a_source() {
        for c in COMPONENTS {
            assert!(!c.properties.is_empty(), "{}", c.name);
            assert_eq!(c.properties[0].name, "type", "{}", c.name);
            let names: HashSet<&str> = c.properties.iter().map(|p| p.name).collect();
            assert_eq!(names.len(), c.properties.len(), "{}", c.name);
            assert!(c.source.starts_with("https://developers.facebook.com/"));
            for p in c.properties {
                assert!(
                    p.since >= c.since || p.since == V2_1,
                    "{}.{}",
                    c.name,
                    p.name
                );
                assert_eq!(
                    p.value == Action,
                    !p.actions.is_empty(),
                    "{}.{}",
                    c.name,
                    p.name
                );
            }
        }
    }

    #[test]
    fn inputs_have_names() {
        for c in COMPONENTS.iter().filter(|c| c.input) {
            assert!(
                c.properties
                    .iter()
                    .any(|p| p.name == "name" && p.required_since.is_some()),
                "{}",
                c.name
            );
        }
    }
}
