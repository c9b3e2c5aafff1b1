/*
 * location_data.c — the facts location.c reads: North American Numbering
 * Plan area codes and the time zones they cover, and the ITU-T E.164
 * country calling codes with the countries they serve. Data only.
 *
 * Sources. Area codes: the NANP Administrator's list of area codes in
 * service and announced overlays (nationalnanpa.com; Canada's through the
 * CNA, cnac.ca), as of 2026. Their time zones: the US time zone boundaries
 * of 49 CFR Part 71 (with the local practice of Phenix City AL, Kenton OK,
 * West Wendover and Jackpot NV, who keep their neighbours' time), the
 * Navajo Nation's daylight saving time in Arizona, and the provinces' and
 * territories' time acts (Saskatchewan, Lloydminster and Creighton; the
 * East Kootenay and the Peace River region of British Columbia; Labrador;
 * the Magdalen Islands; north-western Ontario; Yukon's Mountain Standard
 * Time since 2020). An area code that crosses a zone boundary lists every
 * zone it crosses. Places whose time always equals one of the zones listed
 * (Atikokan, Blanc-Sablon, Creston) are not listed again.
 * Calling codes: ITU-T Recommendation E.164, "List of ITU-T
 * Recommendation E.164 assigned country codes" (with its annex of shared
 * codes: +7 Russia and Kazakhstan, +44 the United Kingdom and the Crown
 * Dependencies, ...). Codes without a place (+800, +870, +881-+883, +888,
 * +979) are not listed.
 *
 * tests/integration/test_location.py checks both tables against an
 * independent source (libphonenumber's metadata, Debian's
 * python3-phonenumbers); tests/unit/test_location.c checks area codes
 * that cross zones against a table written from the sources above.
 */
#include "location-internal.h"

/* The zones the area codes use, one per distinct local time. */
enum nanp_zone {
    NZ_NONE,
    NZ_ET,        /* US Eastern */
    NZ_CT,        /* US Central */
    NZ_MT,        /* US Mountain */
    NZ_AZ,        /* Arizona: Mountain standard time all year */
    NZ_PT,        /* US Pacific */
    NZ_AKT,       /* Alaska */
    NZ_HAT,       /* Aleutian Islands west of 169°30′ W */
    NZ_HST,       /* Hawaii */
    NZ_CA_ET,     /* Canadian Eastern */
    NZ_CA_CT,     /* Canadian Central */
    NZ_SK,        /* Saskatchewan: Central standard time all year */
    NZ_CA_MT,     /* Canadian Mountain */
    NZ_CA_PT,     /* Canadian Pacific */
    NZ_BC_MST,    /* north-east British Columbia: Mountain standard time all year */
    NZ_YT,        /* Yukon: Mountain standard time all year */
    NZ_CA_AT,     /* Atlantic */
    NZ_CA_NT,     /* Newfoundland */
    NZ_VI,
    NZ_MP,
    NZ_GU,
    NZ_AS,
    NZ_PR,
    NZ_BS,
    NZ_BB,
    NZ_AI,
    NZ_AG,
    NZ_VG,
    NZ_KY,
    NZ_BM,
    NZ_GD,
    NZ_TC,
    NZ_JM,
    NZ_MS,
    NZ_SX,
    NZ_LC,
    NZ_DM,
    NZ_VC,
    NZ_DO,
    NZ_TT,
    NZ_KN,
    NZ_COUNT
};

const char *const nanp_zone_names[NANP_ZONE_NAMES] = {
    [NZ_ET] = "America/New_York",
    [NZ_CT] = "America/Chicago",
    [NZ_MT] = "America/Denver",
    [NZ_AZ] = "America/Phoenix",
    [NZ_PT] = "America/Los_Angeles",
    [NZ_AKT] = "America/Anchorage",
    [NZ_HAT] = "America/Adak",
    [NZ_HST] = "Pacific/Honolulu",
    [NZ_CA_ET] = "America/Toronto",
    [NZ_CA_CT] = "America/Winnipeg",
    [NZ_SK] = "America/Regina",
    [NZ_CA_MT] = "America/Edmonton",
    [NZ_CA_PT] = "America/Vancouver",
    [NZ_BC_MST] = "America/Dawson_Creek",
    [NZ_YT] = "America/Whitehorse",
    [NZ_CA_AT] = "America/Halifax",
    [NZ_CA_NT] = "America/St_Johns",
    [NZ_VI] = "America/St_Thomas",
    [NZ_MP] = "Pacific/Saipan",
    [NZ_GU] = "Pacific/Guam",
    [NZ_AS] = "Pacific/Pago_Pago",
    [NZ_PR] = "America/Puerto_Rico",
    [NZ_BS] = "America/Nassau",
    [NZ_BB] = "America/Barbados",
    [NZ_AI] = "America/Anguilla",
    [NZ_AG] = "America/Antigua",
    [NZ_VG] = "America/Tortola",
    [NZ_KY] = "America/Cayman",
    [NZ_BM] = "Atlantic/Bermuda",
    [NZ_GD] = "America/Grenada",
    [NZ_TC] = "America/Grand_Turk",
    [NZ_JM] = "America/Jamaica",
    [NZ_MS] = "America/Montserrat",
    [NZ_SX] = "America/Lower_Princes",
    [NZ_LC] = "America/St_Lucia",
    [NZ_DM] = "America/Dominica",
    [NZ_VC] = "America/St_Vincent",
    [NZ_DO] = "America/Santo_Domingo",
    [NZ_TT] = "America/Port_of_Spain",
    [NZ_KN] = "America/St_Kitts",
};

_Static_assert(NZ_COUNT <= NANP_ZONE_NAMES, "nanp_zone_names is too small");

/* The zones of the United States and of Canada, for a country (or a +1
 * number) that says no more than that: one per distinct local time. */
const uint8_t nanp_us_zones[NANP_COUNTRY_ZONES] = {
    NZ_ET, NZ_CT, NZ_MT, NZ_AZ, NZ_PT, NZ_AKT, NZ_HAT, NZ_HST
};
const uint8_t nanp_ca_zones[NANP_COUNTRY_ZONES] = {
    NZ_CA_NT, NZ_CA_AT, NZ_CA_ET, NZ_CA_CT, NZ_SK, NZ_CA_MT, NZ_CA_PT, NZ_YT
};

#define A(code, country, ...) [code] = { #country, { __VA_ARGS__ } }

/* Every geographic area code of the US and its territories, Canada and
 * the other NANP countries, by state, province or country. */
const nanp_area nanp_areas[1000] = {
    /* AK */
    A(907, US, NZ_AKT, NZ_HAT),
    /* AL */
    A(205, US, NZ_CT), A(251, US, NZ_CT), A(256, US, NZ_CT), A(334, US, NZ_CT, NZ_ET),
    A(659, US, NZ_CT), A(938, US, NZ_CT),
    /* AR */
    A(327, US, NZ_CT), A(479, US, NZ_CT), A(501, US, NZ_CT), A(870, US, NZ_CT),
    /* AZ */
    A(480, US, NZ_AZ), A(520, US, NZ_AZ), A(602, US, NZ_AZ), A(623, US, NZ_AZ),
    A(928, US, NZ_AZ, NZ_MT),
    /* CA */
    A(209, US, NZ_PT), A(213, US, NZ_PT), A(279, US, NZ_PT), A(310, US, NZ_PT),
    A(323, US, NZ_PT), A(341, US, NZ_PT), A(350, US, NZ_PT), A(357, US, NZ_PT),
    A(369, US, NZ_PT), A(408, US, NZ_PT), A(415, US, NZ_PT), A(424, US, NZ_PT),
    A(442, US, NZ_PT), A(510, US, NZ_PT), A(530, US, NZ_PT), A(559, US, NZ_PT),
    A(562, US, NZ_PT), A(619, US, NZ_PT), A(626, US, NZ_PT), A(628, US, NZ_PT),
    A(650, US, NZ_PT), A(657, US, NZ_PT), A(661, US, NZ_PT), A(669, US, NZ_PT),
    A(707, US, NZ_PT), A(714, US, NZ_PT), A(738, US, NZ_PT), A(747, US, NZ_PT),
    A(760, US, NZ_PT), A(805, US, NZ_PT), A(818, US, NZ_PT), A(820, US, NZ_PT),
    A(831, US, NZ_PT), A(837, US, NZ_PT), A(840, US, NZ_PT), A(858, US, NZ_PT),
    A(909, US, NZ_PT), A(916, US, NZ_PT), A(925, US, NZ_PT), A(949, US, NZ_PT),
    A(951, US, NZ_PT),
    /* CO */
    A(303, US, NZ_MT), A(719, US, NZ_MT), A(720, US, NZ_MT), A(748, US, NZ_MT),
    A(970, US, NZ_MT), A(983, US, NZ_MT),
    /* CT */
    A(203, US, NZ_ET), A(475, US, NZ_ET), A(860, US, NZ_ET), A(959, US, NZ_ET),
    /* DC */
    A(202, US, NZ_ET), A(771, US, NZ_ET),
    /* DE */
    A(302, US, NZ_ET),
    /* FL */
    A(239, US, NZ_ET), A(305, US, NZ_ET), A(321, US, NZ_ET), A(324, US, NZ_ET),
    A(352, US, NZ_ET), A(386, US, NZ_ET), A(407, US, NZ_ET), A(448, US, NZ_ET, NZ_CT),
    A(561, US, NZ_ET), A(645, US, NZ_ET), A(656, US, NZ_ET), A(689, US, NZ_ET),
    A(727, US, NZ_ET), A(728, US, NZ_ET), A(754, US, NZ_ET), A(772, US, NZ_ET),
    A(786, US, NZ_ET), A(813, US, NZ_ET), A(850, US, NZ_ET, NZ_CT), A(863, US, NZ_ET),
    A(904, US, NZ_ET), A(941, US, NZ_ET), A(954, US, NZ_ET),
    /* GA */
    A(229, US, NZ_ET), A(404, US, NZ_ET), A(470, US, NZ_ET), A(478, US, NZ_ET),
    A(678, US, NZ_ET), A(706, US, NZ_ET), A(762, US, NZ_ET), A(770, US, NZ_ET),
    A(912, US, NZ_ET), A(943, US, NZ_ET),
    /* HI */
    A(808, US, NZ_HST),
    /* IA */
    A(319, US, NZ_CT), A(515, US, NZ_CT), A(563, US, NZ_CT), A(641, US, NZ_CT),
    A(712, US, NZ_CT),
    /* ID */
    A(208, US, NZ_MT, NZ_PT), A(986, US, NZ_MT, NZ_PT),
    /* IL */
    A(217, US, NZ_CT), A(224, US, NZ_CT), A(309, US, NZ_CT), A(312, US, NZ_CT),
    A(331, US, NZ_CT), A(447, US, NZ_CT), A(464, US, NZ_CT), A(618, US, NZ_CT),
    A(630, US, NZ_CT), A(708, US, NZ_CT), A(730, US, NZ_CT), A(773, US, NZ_CT),
    A(779, US, NZ_CT), A(815, US, NZ_CT), A(847, US, NZ_CT), A(861, US, NZ_CT),
    A(872, US, NZ_CT),
    /* IN */
    A(219, US, NZ_CT, NZ_ET), A(260, US, NZ_ET), A(317, US, NZ_ET), A(463, US, NZ_ET),
    A(574, US, NZ_ET, NZ_CT), A(765, US, NZ_ET), A(812, US, NZ_ET, NZ_CT),
    A(930, US, NZ_ET, NZ_CT),
    /* KS */
    A(316, US, NZ_CT), A(620, US, NZ_CT, NZ_MT), A(785, US, NZ_CT, NZ_MT), A(913, US, NZ_CT),
    /* KY */
    A(270, US, NZ_CT, NZ_ET), A(364, US, NZ_CT, NZ_ET), A(502, US, NZ_ET),
    A(606, US, NZ_ET, NZ_CT), A(859, US, NZ_ET),
    /* LA */
    A(225, US, NZ_CT), A(318, US, NZ_CT), A(337, US, NZ_CT), A(504, US, NZ_CT),
    A(985, US, NZ_CT),
    /* MA */
    A(339, US, NZ_ET), A(351, US, NZ_ET), A(413, US, NZ_ET), A(508, US, NZ_ET),
    A(617, US, NZ_ET), A(774, US, NZ_ET), A(781, US, NZ_ET), A(857, US, NZ_ET),
    A(978, US, NZ_ET),
    /* MD */
    A(227, US, NZ_ET), A(240, US, NZ_ET), A(301, US, NZ_ET), A(410, US, NZ_ET),
    A(443, US, NZ_ET), A(667, US, NZ_ET),
    /* ME */
    A(207, US, NZ_ET),
    /* MI */
    A(231, US, NZ_ET), A(248, US, NZ_ET), A(269, US, NZ_ET), A(313, US, NZ_ET),
    A(517, US, NZ_ET), A(586, US, NZ_ET), A(616, US, NZ_ET), A(679, US, NZ_ET),
    A(734, US, NZ_ET), A(810, US, NZ_ET), A(906, US, NZ_ET, NZ_CT), A(947, US, NZ_ET),
    A(989, US, NZ_ET),
    /* MN */
    A(218, US, NZ_CT), A(320, US, NZ_CT), A(507, US, NZ_CT), A(612, US, NZ_CT),
    A(651, US, NZ_CT), A(763, US, NZ_CT), A(924, US, NZ_CT), A(952, US, NZ_CT),
    /* MO */
    A(235, US, NZ_CT), A(314, US, NZ_CT), A(417, US, NZ_CT), A(557, US, NZ_CT),
    A(573, US, NZ_CT), A(636, US, NZ_CT), A(660, US, NZ_CT), A(816, US, NZ_CT),
    A(975, US, NZ_CT),
    /* MS */
    A(228, US, NZ_CT), A(601, US, NZ_CT), A(662, US, NZ_CT), A(769, US, NZ_CT),
    /* MT */
    A(406, US, NZ_MT),
    /* NC */
    A(252, US, NZ_ET), A(336, US, NZ_ET), A(472, US, NZ_ET), A(704, US, NZ_ET),
    A(743, US, NZ_ET), A(828, US, NZ_ET), A(910, US, NZ_ET), A(919, US, NZ_ET),
    A(980, US, NZ_ET), A(984, US, NZ_ET),
    /* ND */
    A(701, US, NZ_CT, NZ_MT),
    /* NE */
    A(308, US, NZ_CT, NZ_MT), A(402, US, NZ_CT), A(531, US, NZ_CT),
    /* NH */
    A(603, US, NZ_ET),
    /* NJ */
    A(201, US, NZ_ET), A(551, US, NZ_ET), A(609, US, NZ_ET), A(640, US, NZ_ET),
    A(732, US, NZ_ET), A(848, US, NZ_ET), A(856, US, NZ_ET), A(862, US, NZ_ET),
    A(908, US, NZ_ET), A(973, US, NZ_ET),
    /* NM */
    A(505, US, NZ_MT), A(575, US, NZ_MT),
    /* NV */
    A(702, US, NZ_PT), A(725, US, NZ_PT), A(775, US, NZ_PT, NZ_MT),
    /* NY */
    A(212, US, NZ_ET), A(315, US, NZ_ET), A(329, US, NZ_ET), A(332, US, NZ_ET),
    A(347, US, NZ_ET), A(363, US, NZ_ET), A(516, US, NZ_ET), A(518, US, NZ_ET),
    A(585, US, NZ_ET), A(607, US, NZ_ET), A(624, US, NZ_ET), A(631, US, NZ_ET),
    A(646, US, NZ_ET), A(680, US, NZ_ET), A(716, US, NZ_ET), A(718, US, NZ_ET),
    A(838, US, NZ_ET), A(845, US, NZ_ET), A(914, US, NZ_ET), A(917, US, NZ_ET),
    A(929, US, NZ_ET), A(934, US, NZ_ET),
    /* OH */
    A(216, US, NZ_ET), A(220, US, NZ_ET), A(234, US, NZ_ET), A(283, US, NZ_ET),
    A(326, US, NZ_ET), A(330, US, NZ_ET), A(380, US, NZ_ET), A(419, US, NZ_ET),
    A(436, US, NZ_ET), A(440, US, NZ_ET), A(513, US, NZ_ET), A(567, US, NZ_ET),
    A(614, US, NZ_ET), A(740, US, NZ_ET), A(937, US, NZ_ET),
    /* OK */
    A(405, US, NZ_CT), A(539, US, NZ_CT), A(572, US, NZ_CT), A(580, US, NZ_CT, NZ_MT),
    A(918, US, NZ_CT),
    /* OR */
    A(458, US, NZ_PT, NZ_MT), A(503, US, NZ_PT), A(541, US, NZ_PT, NZ_MT), A(971, US, NZ_PT),
    /* PA */
    A(215, US, NZ_ET), A(223, US, NZ_ET), A(267, US, NZ_ET), A(272, US, NZ_ET),
    A(412, US, NZ_ET), A(445, US, NZ_ET), A(484, US, NZ_ET), A(570, US, NZ_ET),
    A(582, US, NZ_ET), A(610, US, NZ_ET), A(717, US, NZ_ET), A(724, US, NZ_ET),
    A(814, US, NZ_ET), A(835, US, NZ_ET), A(878, US, NZ_ET),
    /* RI */
    A(401, US, NZ_ET),
    /* SC */
    A(803, US, NZ_ET), A(821, US, NZ_ET), A(839, US, NZ_ET), A(843, US, NZ_ET),
    A(854, US, NZ_ET), A(864, US, NZ_ET),
    /* SD */
    A(605, US, NZ_CT, NZ_MT),
    /* TN */
    A(423, US, NZ_ET, NZ_CT), A(615, US, NZ_CT), A(629, US, NZ_CT), A(731, US, NZ_CT),
    A(865, US, NZ_ET), A(901, US, NZ_CT), A(931, US, NZ_CT),
    /* TX */
    A(210, US, NZ_CT), A(214, US, NZ_CT), A(254, US, NZ_CT), A(281, US, NZ_CT),
    A(325, US, NZ_CT), A(346, US, NZ_CT), A(361, US, NZ_CT), A(409, US, NZ_CT),
    A(430, US, NZ_CT), A(432, US, NZ_CT, NZ_MT), A(469, US, NZ_CT), A(512, US, NZ_CT),
    A(682, US, NZ_CT), A(713, US, NZ_CT), A(726, US, NZ_CT), A(737, US, NZ_CT),
    A(806, US, NZ_CT), A(817, US, NZ_CT), A(830, US, NZ_CT), A(832, US, NZ_CT),
    A(903, US, NZ_CT), A(915, US, NZ_MT), A(936, US, NZ_CT), A(940, US, NZ_CT),
    A(945, US, NZ_CT), A(956, US, NZ_CT), A(972, US, NZ_CT), A(979, US, NZ_CT),
    /* UT */
    A(385, US, NZ_MT), A(435, US, NZ_MT), A(801, US, NZ_MT),
    /* VA */
    A(276, US, NZ_ET), A(434, US, NZ_ET), A(540, US, NZ_ET), A(571, US, NZ_ET),
    A(686, US, NZ_ET), A(703, US, NZ_ET), A(757, US, NZ_ET), A(804, US, NZ_ET),
    A(826, US, NZ_ET), A(948, US, NZ_ET),
    /* VT */
    A(802, US, NZ_ET),
    /* WA */
    A(206, US, NZ_PT), A(253, US, NZ_PT), A(360, US, NZ_PT), A(425, US, NZ_PT),
    A(509, US, NZ_PT), A(564, US, NZ_PT),
    /* WI */
    A(262, US, NZ_CT), A(274, US, NZ_CT), A(353, US, NZ_CT), A(414, US, NZ_CT),
    A(534, US, NZ_CT), A(608, US, NZ_CT), A(715, US, NZ_CT), A(920, US, NZ_CT),
    /* WV */
    A(304, US, NZ_ET), A(681, US, NZ_ET),
    /* WY */
    A(307, US, NZ_MT),
    /* AB */
    A(368, CA, NZ_CA_MT), A(403, CA, NZ_CA_MT), A(587, CA, NZ_CA_MT), A(780, CA, NZ_CA_MT),
    A(825, CA, NZ_CA_MT),
    /* BC */
    A(236, CA, NZ_CA_PT, NZ_CA_MT, NZ_BC_MST), A(250, CA, NZ_CA_PT, NZ_CA_MT, NZ_BC_MST),
    A(257, CA, NZ_CA_PT, NZ_CA_MT, NZ_BC_MST), A(604, CA, NZ_CA_PT),
    A(672, CA, NZ_CA_PT, NZ_CA_MT, NZ_BC_MST), A(778, CA, NZ_CA_PT, NZ_CA_MT, NZ_BC_MST),
    /* MB */
    A(204, CA, NZ_CA_CT), A(431, CA, NZ_CA_CT), A(584, CA, NZ_CA_CT),
    /* NB */
    A(428, CA, NZ_CA_AT), A(506, CA, NZ_CA_AT),
    /* NL */
    A(709, CA, NZ_CA_NT, NZ_CA_AT), A(879, CA, NZ_CA_NT, NZ_CA_AT),
    /* NS/PE */
    A(782, CA, NZ_CA_AT), A(902, CA, NZ_CA_AT),
    /* ON */
    A(226, CA, NZ_CA_ET), A(249, CA, NZ_CA_ET), A(289, CA, NZ_CA_ET), A(343, CA, NZ_CA_ET),
    A(365, CA, NZ_CA_ET), A(382, CA, NZ_CA_ET), A(416, CA, NZ_CA_ET), A(437, CA, NZ_CA_ET),
    A(519, CA, NZ_CA_ET), A(548, CA, NZ_CA_ET), A(613, CA, NZ_CA_ET), A(647, CA, NZ_CA_ET),
    A(683, CA, NZ_CA_ET), A(705, CA, NZ_CA_ET), A(742, CA, NZ_CA_ET), A(753, CA, NZ_CA_ET),
    A(807, CA, NZ_CA_ET, NZ_CA_CT), A(905, CA, NZ_CA_ET), A(942, CA, NZ_CA_ET),
    /* QC */
    A(263, CA, NZ_CA_ET), A(354, CA, NZ_CA_ET), A(367, CA, NZ_CA_ET, NZ_CA_AT),
    A(418, CA, NZ_CA_ET, NZ_CA_AT), A(438, CA, NZ_CA_ET), A(450, CA, NZ_CA_ET),
    A(468, CA, NZ_CA_ET), A(514, CA, NZ_CA_ET), A(579, CA, NZ_CA_ET),
    A(581, CA, NZ_CA_ET, NZ_CA_AT), A(819, CA, NZ_CA_ET), A(873, CA, NZ_CA_ET),
    /* SK */
    A(306, CA, NZ_SK, NZ_CA_MT, NZ_CA_CT), A(474, CA, NZ_SK, NZ_CA_MT, NZ_CA_CT),
    A(639, CA, NZ_SK, NZ_CA_MT, NZ_CA_CT),
    /* YT/NT/NU */
    A(867, CA, NZ_YT, NZ_CA_MT, NZ_CA_CT, NZ_CA_ET),
    /* AG */
    A(268, AG, NZ_AG),
    /* AI */
    A(264, AI, NZ_AI),
    /* AS */
    A(684, AS, NZ_AS),
    /* BB */
    A(246, BB, NZ_BB),
    /* BM */
    A(441, BM, NZ_BM),
    /* BS */
    A(242, BS, NZ_BS),
    /* DM */
    A(767, DM, NZ_DM),
    /* DO */
    A(809, DO, NZ_DO), A(829, DO, NZ_DO), A(849, DO, NZ_DO),
    /* GD */
    A(473, GD, NZ_GD),
    /* GU */
    A(671, GU, NZ_GU),
    /* JM */
    A(658, JM, NZ_JM), A(876, JM, NZ_JM),
    /* KN */
    A(869, KN, NZ_KN),
    /* KY */
    A(345, KY, NZ_KY),
    /* LC */
    A(758, LC, NZ_LC),
    /* MP */
    A(670, MP, NZ_MP),
    /* MS */
    A(664, MS, NZ_MS),
    /* PR */
    A(787, PR, NZ_PR), A(939, PR, NZ_PR),
    /* SX */
    A(721, SX, NZ_SX),
    /* TC */
    A(649, TC, NZ_TC),
    /* TT */
    A(868, TT, NZ_TT),
    /* VC */
    A(784, VC, NZ_VC),
    /* VG */
    A(284, VG, NZ_VG),
    /* VI */
    A(340, VI, NZ_VI),
};

/* Area codes that name no place: toll-free (8XX), personal communication
 * services (5XX), Canada's and the US government's non-geographic codes
 * (600, 622, 710), premium rate (900), 700 and the retired 456. */
static const uint16_t non_geographic[] = {
    456, 500, 521, 522, 523, 524, 525, 526, 527, 528, 529, 532, 533, 535, 538, 542, 543,
    544, 545, 546, 547, 549, 550, 552, 553, 554, 556, 558, 566, 569, 577, 578, 588, 589,
    600, 622, 700, 710, 800, 833, 844, 855, 866, 877, 888, 900,
};

bool nanp_non_geographic(int code)
{
    for (size_t i = 0; i < sizeof non_geographic / sizeof non_geographic[0]; i++)
        if (non_geographic[i] == code)
            return true;
    return false;
}

/* ITU-T E.164 country calling codes (+1 is the NANP, above), ascending. */
const calling_code calling_codes[] = {
    { 7, { "RU", "KZ" } }, { 20, { "EG" } }, { 27, { "ZA" } }, { 30, { "GR" } },
    { 31, { "NL" } }, { 32, { "BE" } }, { 33, { "FR" } }, { 34, { "ES" } }, { 36, { "HU" } },
    { 39, { "IT", "VA" } }, { 40, { "RO" } }, { 41, { "CH" } }, { 43, { "AT" } },
    { 44, { "GB", "GG", "IM", "JE" } }, { 45, { "DK" } }, { 46, { "SE" } },
    { 47, { "NO", "SJ" } }, { 48, { "PL" } }, { 49, { "DE" } }, { 51, { "PE" } },
    { 52, { "MX" } }, { 53, { "CU" } }, { 54, { "AR" } }, { 55, { "BR" } }, { 56, { "CL" } },
    { 57, { "CO" } }, { 58, { "VE" } }, { 60, { "MY" } }, { 61, { "AU", "CC", "CX" } },
    { 62, { "ID" } }, { 63, { "PH" } }, { 64, { "NZ" } }, { 65, { "SG" } }, { 66, { "TH" } },
    { 81, { "JP" } }, { 82, { "KR" } }, { 84, { "VN" } }, { 86, { "CN" } }, { 90, { "TR" } },
    { 91, { "IN" } }, { 92, { "PK" } }, { 93, { "AF" } }, { 94, { "LK" } }, { 95, { "MM" } },
    { 98, { "IR" } }, { 211, { "SS" } }, { 212, { "MA", "EH" } }, { 213, { "DZ" } },
    { 216, { "TN" } }, { 218, { "LY" } }, { 220, { "GM" } }, { 221, { "SN" } },
    { 222, { "MR" } }, { 223, { "ML" } }, { 224, { "GN" } }, { 225, { "CI" } },
    { 226, { "BF" } }, { 227, { "NE" } }, { 228, { "TG" } }, { 229, { "BJ" } },
    { 230, { "MU" } }, { 231, { "LR" } }, { 232, { "SL" } }, { 233, { "GH" } },
    { 234, { "NG" } }, { 235, { "TD" } }, { 236, { "CF" } }, { 237, { "CM" } },
    { 238, { "CV" } }, { 239, { "ST" } }, { 240, { "GQ" } }, { 241, { "GA" } },
    { 242, { "CG" } }, { 243, { "CD" } }, { 244, { "AO" } }, { 245, { "GW" } },
    { 246, { "IO" } }, { 247, { "SH" } }, { 248, { "SC" } }, { 249, { "SD" } },
    { 250, { "RW" } }, { 251, { "ET" } }, { 252, { "SO" } }, { 253, { "DJ" } },
    { 254, { "KE" } }, { 255, { "TZ" } }, { 256, { "UG" } }, { 257, { "BI" } },
    { 258, { "MZ" } }, { 260, { "ZM" } }, { 261, { "MG" } }, { 262, { "RE", "YT" } },
    { 263, { "ZW" } }, { 264, { "NA" } }, { 265, { "MW" } }, { 266, { "LS" } },
    { 267, { "BW" } }, { 268, { "SZ" } }, { 269, { "KM" } }, { 290, { "SH" } },
    { 291, { "ER" } }, { 297, { "AW" } }, { 298, { "FO" } }, { 299, { "GL" } },
    { 350, { "GI" } }, { 351, { "PT" } }, { 352, { "LU" } }, { 353, { "IE" } },
    { 354, { "IS" } }, { 355, { "AL" } }, { 356, { "MT" } }, { 357, { "CY" } },
    { 358, { "FI", "AX" } }, { 359, { "BG" } }, { 370, { "LT" } }, { 371, { "LV" } },
    { 372, { "EE" } }, { 373, { "MD" } }, { 374, { "AM" } }, { 375, { "BY" } },
    { 376, { "AD" } }, { 377, { "MC" } }, { 378, { "SM" } }, { 380, { "UA" } },
    { 381, { "RS" } }, { 382, { "ME" } }, { 383, { "XK" } }, { 385, { "HR" } },
    { 386, { "SI" } }, { 387, { "BA" } }, { 389, { "MK" } }, { 420, { "CZ" } },
    { 421, { "SK" } }, { 423, { "LI" } }, { 500, { "FK" } }, { 501, { "BZ" } },
    { 502, { "GT" } }, { 503, { "SV" } }, { 504, { "HN" } }, { 505, { "NI" } },
    { 506, { "CR" } }, { 507, { "PA" } }, { 508, { "PM" } }, { 509, { "HT" } },
    { 590, { "GP", "BL", "MF" } }, { 591, { "BO" } }, { 592, { "GY" } }, { 593, { "EC" } },
    { 594, { "GF" } }, { 595, { "PY" } }, { 596, { "MQ" } }, { 597, { "SR" } },
    { 598, { "UY" } }, { 599, { "CW", "BQ" } }, { 670, { "TL" } }, { 672, { "NF" } },
    { 673, { "BN" } }, { 674, { "NR" } }, { 675, { "PG" } }, { 676, { "TO" } },
    { 677, { "SB" } }, { 678, { "VU" } }, { 679, { "FJ" } }, { 680, { "PW" } },
    { 681, { "WF" } }, { 682, { "CK" } }, { 683, { "NU" } }, { 685, { "WS" } },
    { 686, { "KI" } }, { 687, { "NC" } }, { 688, { "TV" } }, { 689, { "PF" } },
    { 690, { "TK" } }, { 691, { "FM" } }, { 692, { "MH" } }, { 850, { "KP" } },
    { 852, { "HK" } }, { 853, { "MO" } }, { 855, { "KH" } }, { 856, { "LA" } },
    { 880, { "BD" } }, { 886, { "TW" } }, { 960, { "MV" } }, { 961, { "LB" } },
    { 962, { "JO" } }, { 963, { "SY" } }, { 964, { "IQ" } }, { 965, { "KW" } },
    { 966, { "SA" } }, { 967, { "YE" } }, { 968, { "OM" } }, { 970, { "PS" } },
    { 971, { "AE" } }, { 972, { "IL" } }, { 973, { "BH" } }, { 974, { "QA" } },
    { 975, { "BT" } }, { 976, { "MN" } }, { 977, { "NP" } }, { 992, { "TJ" } },
    { 993, { "TM" } }, { 994, { "AZ" } }, { 995, { "GE" } }, { 996, { "KG" } },
    { 998, { "UZ" } },
};
const size_t n_calling_codes = sizeof calling_codes / sizeof calling_codes[0];
