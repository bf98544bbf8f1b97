<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="sv_SE" sourcelanguage="en">
<context>
    <name>AmpPlaceAnalysis</name>
    <message>
        <location filename="../processing/algorithms/site_report.py"/>
        <source> In QGIS: 'Assess place' (amp:assessplace).</source>
        <translation> I QGIS: 'Bedöm plats' (amp:assessplace).</translation>
    </message>
    <message>
        <location filename="../processing/base.py"/>
        <source>1 Place data</source>
        <translation>1 Platsdata</translation>
    </message>
    <message>
        <location filename="../processing/base.py"/>
        <source>2 Uses and comfort</source>
        <translation>2 Användning och komfort</translation>
    </message>
    <message>
        <location filename="../processing/base.py"/>
        <source>3 Lighting and sightlines</source>
        <translation>3 Belysning och siktlinjer</translation>
    </message>
    <message>
        <location filename="../processing/base.py"/>
        <source>4 Assessment</source>
        <translation>4 Bedömning</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/fetch_place_data.py"/>
        <source>A municipal register (lamps, benches, trees, buildings ...) to add to or replace the OSM data; needs a field-mapping preset.</source>
        <translation>Ett kommunalt register (belysning, bänkar, träd, byggnader ...) som kompletterar eller ersätter OSM-data; kräver en fältmappning.</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/fetch_place_data.py"/>
        <source>A polygon layer with the place (any CRS; selected features only if you tick it). Several polygons are merged into one place.</source>
        <translation>Ett polygonlager med platsen (valfritt koordinatsystem; bara valda objekt om du kryssar i det). Flera polygoner slås ihop till en plats.</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/map_frontage.py"/>
        <source>Active frontage share (%)</source>
        <translation>Andel aktiv fasad (%)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/audit_seating.py"/>
        <source>Activities distance (m)</source>
        <translation>Avstånd till aktiviteter (m)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/sightlines.py"/>
        <source>Adjacent-street distance (m)</source>
        <translation>Avstånd för angränsande gator (m)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/fetch_place_data.py"/>
        <source>An .osm, .osm.bz2 or .osm.pbf file covering the place and its study area. Large city extracts are streamed. Default: the bundled central-Helsinki sample (2019).</source>
        <translation>En .osm-, .osm.bz2- eller .osm.pbf-fil som täcker platsen och studieområdet. Stora stadsutdrag läses strömmande. Standard: medföljande exempel från Helsingfors (2019).</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/lighting_map.py"/>
        <source>Apply the photometric file only to lamps whose lamp_type or optic equals this value; leave empty to apply it to every lamp.</source>
        <translation>Använd ljusfördelningsfilen bara för armaturer vars lamp_type eller optic har detta värde; lämna tomt för att använda den för alla armaturer.</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/lighting_map.py"/>
        <source>Approach path distance (m)</source>
        <translation>Avstånd för tillfartsvägar (m)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/assess_place.py"/>
        <source>Assess place</source>
        <translation>Bedöm plats</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/site_report.py"/>
        <source>Assessment (GeoPackage)</source>
        <translation>Bedömning (GeoPackage)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/assess_place.py"/>
        <source>Assessment GeoPackage</source>
        <translation>Bedömningens GeoPackage</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/audit_seating.py"/>
        <source>Audit seating and amenities</source>
        <translation>Granska sittplatser och service</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/lighting_map.py"/>
        <source>Average illuminance (lx)</source>
        <translation>Medelbelysningsstyrka (lx)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/map_frontage.py"/>
        <source>Building façade</source>
        <translation>Byggnadsfasad</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/audit_seating.py"/>
        <source>Café seating credit (m)</source>
        <translation>Uteservering (m)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/score_candidates.py"/>
        <source>Candidate places</source>
        <translation>Kandidatplatser</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/score_candidates.py"/>
        <source>Candidate places as polygons, or as points with a radius (RADIUS or RADIUS_FIELD), in any CRS; a selection counts. Each feature is one candidate.</source>
        <translation>Kandidatplatser som polygoner, eller som punkter med en radie (RADIUS eller RADIUS_FIELD), i valfritt koordinatsystem; ett urval räknas. Varje objekt är en kandidat.</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/sightlines.py"/>
        <source>Concealment pockets</source>
        <translation>Gömställen</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/sightlines.py"/>
        <source>Concealment pockets per 1,000 m²</source>
        <translation>Gömställen per 1 000 m²</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/lighting_map.py"/>
        <source>Dark gaps</source>
        <translation>Mörka partier</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/lighting_map.py"/>
        <source>Dark gaps along paths (m)</source>
        <translation>Mörka partier längs gångvägar (m)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/lighting_map.py"/>
        <source>Dark share (%)</source>
        <translation>Mörk andel (%)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/audit_seating.py"/>
        <source>Default bench length (m)</source>
        <translation>Standardlängd bänk (m)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/viewshed.py"/>
        <source>Digital surface model: a single-band raster of surface heights in metres (ground plus buildings and trees) in a projected CRS in metres, north-up with square cells, e.g. from Lantmäteriet's laser data.</source>
        <translation>Digital ytmodell: ett enbandsraster med ytans höjd i meter (mark plus byggnader och träd) i ett projicerat koordinatsystem i meter, norrorienterat med kvadratiska celler, t.ex. från Lantmäteriets laserdata.</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/map_frontage.py"/>
        <source>Doors per 100 m of frontage</source>
        <translation>Dörrar per 100 m fasad</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/lighting_map.py"/>
        <source>EN 13201-2 P class reached</source>
        <translation>Uppnådd P-klass (EN 13201-2)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/viewshed.py"/>
        <source>Eye height (m)</source>
        <translation>Ögonhöjd (m)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/fetch_place_data.py"/>
        <source>Fetch place data</source>
        <translation>Hämta platsdata</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/score_candidates.py"/>
        <source>Field with the candidates' names (default: a field called name or namn, else 'candidate &lt;id&gt;').</source>
        <translation>Fält med kandidaternas namn (standard: ett fält som heter name eller namn, annars 'candidate &lt;id&gt;').</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/assess_place.py"/>
        <source>Folder for &lt;place&gt;.gpkg and the rasters; an existing assessment of the same place is replaced only when the new one is complete.</source>
        <translation>Mapp för &lt;plats&gt;.gpkg och rastren; en tidigare bedömning av samma plats ersätts först när den nya är klar.</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/fetch_place_data.py"/>
        <source>Folder for cached Overpass replies (default: 'amp/overpass-cache' in the QGIS profile folder). Reruns and batch runs reuse it.</source>
        <translation>Mapp för sparade Overpass-svar (standard: 'amp/overpass-cache' i QGIS-profilen). Omkörningar och batchkörningar återanvänder den.</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/score_candidates.py"/>
        <source>Folder for ranking.gpkg, the candidates' assessments (candidates/) and the journal (state/); a folder of an earlier run of the same candidates is continued, not started again.</source>
        <translation>Mapp för ranking.gpkg, kandidaternas bedömningar (candidates/) och journalen (state/); en mapp från en tidigare körning med samma kandidater fortsätts, börjar inte om.</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/audit_seating.py"/>
        <source>Food and drink distance (m)</source>
        <translation>Avstånd till mat och dryck (m)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/map_frontage.py"/>
        <source>Frontage</source>
        <translation>Fasader</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/sightlines.py"/>
        <source>Frontage GeoPackage</source>
        <translation>Fasad-GeoPackage</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/map_frontage.py"/>
        <source>Frontage distance (m)</source>
        <translation>Fasadavstånd (m)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/map_frontage.py"/>
        <source>GeoPackage with the 'frontage' line layer (styled by Gehl grade), the 'figures' table (value, unit, threshold, source of each figure) and the 'provenance' table.</source>
        <translation>GeoPackage med linjelagret 'frontage' (färgat efter Gehl-betyg), tabellen 'figures' (värde, enhet, gränsvärde och källa för varje nyckeltal) och källtabellen 'provenance'.</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/audit_seating.py"/>
        <source>GeoPackage with the 'seating_audit' point layer (styled by type), the 'figures' table (seating and amenities: value, unit, threshold, source of each figure) and the 'provenance' table.</source>
        <translation>GeoPackage med punktlagret 'seating_audit' (färgat efter typ), tabellen 'figures' (sittplatser och service: värde, enhet, gränsvärde och källa för varje nyckeltal) och källtabellen 'provenance'.</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/lighting_map.py"/>
        <source>GeoPackage with the dark gaps along paths (dark_gaps, with length_m), the lamps used with their assumed values (lamps_used), the figures (figures: value, unit, threshold and source of each) and the provenance table.</source>
        <translation>GeoPackage med mörka partier längs gångvägar (dark_gaps, med length_m), armaturerna med antagna värden (lamps_used), nyckeltalen (figures: värde, enhet, gränsvärde och källa för varje) och källtabellen (provenance).</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/sightlines.py"/>
        <source>GeoPackage with the per-point isovist measures (isovist_points), concealment pockets, the part of the place visible from the streets, the street viewpoints, the 'figures' table (value, unit, threshold, source of each figure) and the 'provenance' table.</source>
        <translation>GeoPackage med isovistmått per punkt (isovist_points), gömställen, den del av platsen som syns från gatorna, gatupunkterna, tabellen 'figures' (värde, enhet, gränsvärde och källa för varje nyckeltal) och källtabellen 'provenance'.</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/lighting_map.py"/>
        <source>GeoTIFF of estimated semi-cylindrical illuminance at face height, for the worst viewing direction at each cell (about 1 lx lets a face be recognised at 4 m).</source>
        <translation>GeoTIFF med uppskattad semicylindrisk belysningsstyrka i ansiktshöjd, i den sämsta blickriktningen i varje cell (omkring 1 lx räcker för att känna igen ett ansikte på 4 m).</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/lighting_map.py"/>
        <source>GeoTIFF of horizontal illuminance in lux; nodata outside the walkable area. A lux colour ramp is stored beside it (.qml).</source>
        <translation>GeoTIFF med horisontell belysningsstyrka i lux; nodata utanför gångytan. En färgskala i lux sparas bredvid (.qml).</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/sightlines.py"/>
        <source>GeoTIFF of the isovist area of each grid cell in m²; nodata outside the walkable place and inside buildings. A colour ramp is stored beside it (.qml).</source>
        <translation>GeoTIFF med isovistarean för varje cell i m²; nodata utanför platsens gångyta och inne i byggnader. En färgskala sparas bredvid (.qml).</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/viewshed.py"/>
        <source>GeoTIFF on the DSM's grid: 1 visible, 0 not visible, nodata outside the radius or where the DSM has no data. A visible/not visible style is stored beside it (.qml).</source>
        <translation>GeoTIFF i ytmodellens rutnät: 1 synlig, 0 inte synlig, nodata utanför radien eller där ytmodellen saknar data. En stil synlig/inte synlig sparas bredvid (.qml).</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/map_frontage.py"/>
        <source>Grade by</source>
        <translation>Betygsätt per</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/lighting_map.py"/>
        <location filename="../processing/algorithms/sightlines.py"/>
        <source>Grid cell size (m)</source>
        <translation>Rutstorlek (m)</translation>
    </message>
    <message>
        <location filename="../processing/layout/texts.py"/>
        <source>Ground-floor frontage by Gehl grade, seating, the street lamps of the lighting model and the modelled horizontal illuminance at ground level</source>
        <translation>Bottenvåningar efter Gehl-klass, sittplatser, belysningsmodellens gatlampor och beräknad horisontell belysningsstyrka på marken</translation>
    </message>
    <message>
        <location filename="../processing/layout/texts.py"/>
        <source>Group</source>
        <translation>Grupp</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/fetch_place_data.py"/>
        <source>How far around the place data is collected. The default holds a 10-minute walk at 1.3 m/s (780 m).</source>
        <translation>Hur långt runt platsen data hämtas. Standardvärdet rymmer tio minuters promenad i 1,3 m/s (780 m).</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/lighting_map.py"/>
        <source>Illuminance (lx)</source>
        <translation>Belysningsstyrka (lx)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/assess_place.py"/>
        <source>Indicator weights</source>
        <translation>Indikatorvikter</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/sightlines.py"/>
        <source>Isovist area (m²)</source>
        <translation>Isovistarea (m²)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/lighting_map.py"/>
        <source>Lamp type of the photometric file</source>
        <translation>Armaturtyp för ljusfördelningsfilen</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/fetch_place_data.py"/>
        <location filename="../processing/algorithms/score_candidates.py"/>
        <source>Largest place area (m²)</source>
        <translation>Största platsyta (m²)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/site_report.py"/>
        <source>Layout name</source>
        <translation>Layoutens namn</translation>
    </message>
    <message>
        <location filename="../processing/layout/texts.py"/>
        <source>Left: the area visible from each point of the place (isovist field). Right: what can be reached on foot in 5 and 10 minutes</source>
        <translation>Vänster: ytan som syns från varje punkt på platsen (isovistfält). Höger: vad som nås till fots på 5 och 10 minuter</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/lighting_map.py"/>
        <source>Lighting layers</source>
        <translation>Belysningslager</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/lighting_map.py"/>
        <source>Lighting map (illuminance and dark spots)</source>
        <translation>Belysningskarta (belysningsstyrka och mörka partier)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/assess_place.py"/>
        <location filename="../processing/algorithms/fetch_place_data.py"/>
        <location filename="../processing/algorithms/score_candidates.py"/>
        <source>Local OSM file</source>
        <translation>Lokal OSM-fil</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/fetch_place_data.py"/>
        <source>Local OSM file (.osm, .osm.bz2, .osm.pbf)</source>
        <translation>Lokal OSM-fil (.osm, .osm.bz2, .osm.pbf)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/lighting_map.py"/>
        <source>Maintenance factor</source>
        <translation>Underhållsfaktor</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/map_frontage.py"/>
        <source>Map ground-floor frontage</source>
        <translation>Kartlägg bottenvåningar</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/sightlines.py"/>
        <source>Mean isovist area (m²)</source>
        <translation>Medelarea för isovister (m²)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/lighting_map.py"/>
        <source>Minimum illuminance (lx)</source>
        <translation>Minsta belysningsstyrka (lx)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/lighting_map.py"/>
        <source>Minimum semi-cylindrical illuminance (lx)</source>
        <translation>Minsta semicylindriska belysningsstyrka (lx)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/score_candidates.py"/>
        <source>Name field</source>
        <translation>Namnfält</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/fetch_place_data.py"/>
        <source>Name of a mapping preset (e.g. 'lamp-register-example'; your own presets saved in the QGIS profile folder under amp/mappings come first) or the path of a mapping .json file. 'amp-place presets' lists them.</source>
        <translation>Namnet på en fältmappning (t.ex. 'lamp-register-example'; egna mappningar sparade i QGIS-profilens mapp amp/mappings går först) eller sökvägen till en mappningsfil (.json). 'amp-place presets' listar dem.</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/fetch_place_data.py"/>
        <source>Name of a square or pedestrian area in the OSM data, e.g. 'Senaatintori'. Areas win over bus stops and streets of the same name. Leave empty when you give a polygon or a point.</source>
        <translation>Namnet på ett torg eller gågatuområde i OSM-data, t.ex. 'Stortorget'. Ytor går före hållplatser och gator med samma namn. Lämna tomt om du anger en polygon eller en punkt.</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/assess_place.py"/>
        <source>Name of the square or pedestrian area in the OSM data (or give a polygon).</source>
        <translation>Namnet på torget eller gågatan i OSM-data (eller ange en polygon).</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/fetch_place_data.py"/>
        <source>Never contact the Overpass server; fail if a reply is not in the cache (for batch runs).</source>
        <translation>Kontakta aldrig Overpass-servern; avbryt om svaret inte finns i cachen (för batchkörningar).</translation>
    </message>
    <message>
        <location filename="../processing/layout/texts.py"/>
        <source>Notes</source>
        <translation>Anmärkningar</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/score_candidates.py"/>
        <source>Numeric field with each point candidate's radius in metres.</source>
        <translation>Numeriskt fält med varje punktkandidats radie i meter.</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/assess_place.py"/>
        <source>OSM data around the place (XML or PBF, any name; a whole-city extract works). Not needed when place data is given.</source>
        <translation>OSM-data runt platsen (XML eller PBF, valfritt filnamn; ett utdrag för en hel stad fungerar). Behövs inte när platsdata anges.</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/score_candidates.py"/>
        <source>OSM data covering every candidate (XML or PBF, any name), read once for all of them.</source>
        <translation>OSM-data som täcker alla kandidater (XML eller PBF, valfritt filnamn), läses en gång för alla.</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/fetch_place_data.py"/>
        <source>OSM source</source>
        <translation>OSM-källa</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/viewshed.py"/>
        <source>Observer point</source>
        <translation>Observationspunkt</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/sightlines.py"/>
        <source>Occlusivity / perimeter (%)</source>
        <translation>Ockludering / omkrets (%)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/map_frontage.py"/>
        <source>Open at 20:00 on a weekday (%)</source>
        <translation>Öppet kl. 20 en vardag (%)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/lighting_map.py"/>
        <source>Optional EULUMDAT file with the luminaire's measured light distribution. Without it a generic downward Lambertian distribution is used, which underestimates the light between poles (a conservative screen).</source>
        <translation>Valfri EULUMDAT-fil med armaturens uppmätta ljusfördelning. Utan den används en generisk nedåtriktad lambertsk fördelning, som underskattar ljuset mellan stolparna (en försiktig bedömning).</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/sightlines.py"/>
        <source>Optional GeoPackage written by 'Map frontage' (its 'frontage' layer); gives the metres of active frontage in view from each point.</source>
        <translation>Valfri GeoPackage skriven av 'Kartlägg fasader' (lagret 'frontage'); ger meter aktiv fasad inom synhåll från varje punkt.</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/assess_place.py"/>
        <location filename="../processing/algorithms/score_candidates.py"/>
        <source>Output folder</source>
        <translation>Utdatamapp</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/fetch_place_data.py"/>
        <source>Overpass API (internet)</source>
        <translation>Overpass API (internet)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/fetch_place_data.py"/>
        <source>Overpass API URL</source>
        <translation>Overpass API-adress</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/fetch_place_data.py"/>
        <source>Overpass cache folder</source>
        <translation>Cachemapp för Overpass</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/site_report.py"/>
        <source>Pages</source>
        <translation>Sidor</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/lighting_map.py"/>
        <source>Photometric file (EULUMDAT .ldt)</source>
        <translation>Ljusfördelningsfil (EULUMDAT .ldt)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/fetch_place_data.py"/>
        <source>Place centre point</source>
        <translation>Platsens mittpunkt</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/assess_place.py"/>
        <location filename="../processing/base.py"/>
        <source>Place data (GeoPackage)</source>
        <translation>Platsdata (GeoPackage)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/fetch_place_data.py"/>
        <source>Place data GeoPackage</source>
        <translation>Platsdata (GeoPackage)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/assess_place.py"/>
        <source>Place name</source>
        <translation>Platsens namn</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/fetch_place_data.py"/>
        <source>Place name (OSM square)</source>
        <translation>Platsens namn (torg i OSM)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/assess_place.py"/>
        <location filename="../processing/algorithms/fetch_place_data.py"/>
        <source>Place polygon</source>
        <translation>Platsens polygon</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/fetch_place_data.py"/>
        <source>Place radius (m)</source>
        <translation>Platsens radie (m)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/fetch_place_data.py"/>
        <source>Places larger than this are refused (a square or a town-centre street is far smaller; most renowned European squares are under 10,000 m²).</source>
        <translation>Större platser än så avvisas (ett torg eller en centrumgata är mycket mindre; de flesta kända europeiska torg är under 10 000 m²).</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/assess_place.py"/>
        <source>Points of proposed changes: field 'action' (add/remove) and 'kind' (bench, lamp, tree, bin, facade), optionally length_m and backrest (bench), height_m and lumen (lamp), use (facade: e.g. retail, food_drink). The place is assessed as it is and with the changes; &lt;place&gt;-scenario.gpkg holds the changed place, the changes and the difference per indicator and attribute (scenario_diff).</source>
        <translation>Punkter med föreslagna ändringar: fältet 'action' (add/remove) och 'kind' (bench, lamp, tree, bin, facade), valfritt length_m och backrest (bänk), height_m och lumen (lampa), use (fasad: t.ex. retail, food_drink). Platsen bedöms som den är och med ändringarna; &lt;plats&gt;-scenario.gpkg innehåller den ändrade platsen, ändringarna och skillnaden per indikator och egenskap (scenario_diff).</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/assess_place.py"/>
        <source>Population field</source>
        <translation>Befolkningsfält</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/assess_place.py"/>
        <source>Population grid or polygons (any CRS) for the residents within a 5- and 10-minute walk; without it that figure is 'no data'.</source>
        <translation>Befolkningsrutnät eller polygoner (valfritt koordinatsystem) för antalet boende inom 5 och 10 minuters promenad; utan det blir talet 'inga data'.</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/assess_place.py"/>
        <source>Population layer</source>
        <translation>Befolkningslager</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/sightlines.py"/>
        <source>Prospect: share of the place in view (%)</source>
        <translation>Överblick: andel av platsen inom synhåll (%)</translation>
    </message>
    <message>
        <location filename="../processing/layout/export.py"/>
        <source>QGIS reported an error</source>
        <translation>QGIS rapporterade ett fel</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/viewshed.py"/>
        <source>Radius (m)</source>
        <translation>Radie (m)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/score_candidates.py"/>
        <source>Radius field</source>
        <translation>Radiefält</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/score_candidates.py"/>
        <source>Radius in metres of the circle around a point candidate, for points without a RADIUS_FIELD value. Not used for polygons.</source>
        <translation>Radie i meter för cirkeln runt en punktkandidat, för punkter utan värde i RADIUS_FIELD. Används inte för polygoner.</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/score_candidates.py"/>
        <source>Radius of point candidates (m)</source>
        <translation>Radie för punktkandidater (m)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/fetch_place_data.py"/>
        <source>Radius of the circular place around the centre point, in metres.</source>
        <translation>Radien för den cirkulära platsen runt mittpunkten, i meter.</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/score_candidates.py"/>
        <source>Ranking</source>
        <translation>Rangordning</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/site_report.py"/>
        <source>Report (PDF)</source>
        <translation>Rapport (PDF)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/site_report.py"/>
        <source>Report language</source>
        <translation>Rapportens språk</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/assess_place.py"/>
        <source>Reuse fetched data: a GeoPackage from 'Fetch place data' (amp:fetchplacedata) or an earlier assessment, instead of an OSM file and a place.</source>
        <translation>Återanvänd hämtade data: en GeoPackage från 'Hämta platsdata' (amp:fetchplacedata) eller en tidigare bedömning, i stället för en OSM-fil och en plats.</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/assess_place.py"/>
        <source>Scenario (proposed changes)</source>
        <translation>Scenario (föreslagna ändringar)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/assess_place.py"/>
        <source>Scenario GeoPackage (with the changes)</source>
        <translation>Scenariots GeoPackage (med ändringarna)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/score_candidates.py"/>
        <source>Score and rank candidate places</source>
        <translation>Bedöm och rangordna kandidatplatser</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/audit_seating.py"/>
        <source>Seat width (m)</source>
        <translation>Sittbredd (m)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/audit_seating.py"/>
        <source>Seating audit</source>
        <translation>Sittplatsgranskning</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/map_frontage.py"/>
        <source>Segment</source>
        <translation>Segment</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/map_frontage.py"/>
        <source>Segment length (m)</source>
        <translation>Segmentlängd (m)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/sightlines.py"/>
        <source>Sightline layers</source>
        <translation>Siktlinjelager</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/sightlines.py"/>
        <source>Sightlines (isovists and visibility)</source>
        <translation>Siktlinjer (isovister och synlighet)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/site_report.py"/>
        <source>Site-assessment report (PDF)</source>
        <translation>Platsbedömningsrapport (PDF)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/sightlines.py"/>
        <source>Street viewpoint spacing (m)</source>
        <translation>Avstånd mellan gatupunkter (m)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/fetch_place_data.py"/>
        <location filename="../processing/algorithms/score_candidates.py"/>
        <source>Study-area radius (m)</source>
        <translation>Studieområdets radie (m)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/viewshed.py"/>
        <source>Surface model (DSM)</source>
        <translation>Ytmodell (DSM)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/viewshed.py"/>
        <source>Target height (m)</source>
        <translation>Målhöjd (m)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/site_report.py"/>
        <source>The &lt;place&gt;.gpkg written by 'Assess place' (amp:assessplace); its rasters are read from beside it (&lt;place&gt;-illuminance.tif, &lt;place&gt;-isovist_area.tif).</source>
        <translation>Den &lt;plats&gt;.gpkg som 'Bedöm plats' (amp:assessplace) skriver; rastren läses från samma mapp (&lt;plats&gt;-illuminance.tif, &lt;plats&gt;-isovist_area.tif).</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/fetch_place_data.py"/>
        <source>The GeoPackage to write. It is written completely or not at all.</source>
        <translation>GeoPackage-filen som skrivs. Den skrivs helt eller inte alls.</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/fetch_place_data.py"/>
        <source>The Overpass server to ask when the source is the Overpass API.</source>
        <translation>Den Overpass-server som används när källan är Overpass API.</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/site_report.py"/>
        <source>The PDF file to write.</source>
        <translation>PDF-filen som skrivs.</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/fetch_place_data.py"/>
        <source>The centre of a circular place (use with 'Place radius'), in any CRS.</source>
        <translation>Mittpunkten för en cirkulär plats (används med 'Platsens radie').</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/assess_place.py"/>
        <source>The field with the number of residents (default: a known name such as 'population', 'pop', 'befolkning').</source>
        <translation>Fältet med antal boende (standard: ett känt namn som 'population', 'pop', 'befolkning').</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/site_report.py"/>
        <source>The language of the report: that of QGIS (Swedish when QGIS runs in Swedish, English otherwise), Swedish or English.</source>
        <translation>Rapportens språk: samma som QGIS (svenska när QGIS körs på svenska, annars engelska), svenska eller engelska.</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/assess_place.py"/>
        <source>The place as polygon features in any CRS (several are merged; a selection counts).</source>
        <translation>Platsen som polygoner i valfritt koordinatsystem (flera slås ihop; ett urval räknas).</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/lighting_map.py"/>
        <source>Uniformity U0</source>
        <translation>Jämnhet U0</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/fetch_place_data.py"/>
        <source>Use cached Overpass replies only</source>
        <translation>Använd bara sparade Overpass-svar</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/viewshed.py"/>
        <source>Viewshed</source>
        <translation>Siktområde</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/viewshed.py"/>
        <source>Viewshed over a surface model (DSM)</source>
        <translation>Siktanalys över ytmodell (DSM)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/sightlines.py"/>
        <source>Visibility radius (m)</source>
        <translation>Siktradie (m)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/sightlines.py"/>
        <source>Visible from adjacent streets (%)</source>
        <translation>Synligt från angränsande gator (%)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/sightlines.py"/>
        <source>Visible from streets</source>
        <translation>Synligt från gatan</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/viewshed.py"/>
        <source>Visible share within the radius (%)</source>
        <translation>Synlig andel inom radien (%)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/viewshed.py"/>
        <source>Visible share: no data (no DSM cell within the radius)</source>
        <translation>Synlig andel: inga data (ingen DSM-cell inom radien)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/sightlines.py"/>
        <source>Walls and hedges block sight</source>
        <translation>Murar och häckar skymmer sikten</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/assess_place.py"/>
        <source>Weights other than profile.json's, as 'U1=2; C7=0.5' or the path of a JSON file shaped like profile.json; weights not summing to one within an attribute are normalised, with a warning.</source>
        <translation>Andra vikter än i profile.json, som 'U1=2; C7=0.5' eller sökvägen till en JSON-fil med samma form som profile.json; vikter som inte summerar till ett inom en egenskap normaliseras, med en varning.</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/fetch_place_data.py"/>
        <source>Where the OpenStreetMap data comes from: a local file, or the Overpass API (needs internet; replies are cached).</source>
        <translation>Varifrån OpenStreetMap-data kommer: en lokal fil, eller Overpass API (kräver internet; svaren sparas i en cache).</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/viewshed.py"/>
        <source>Where the person stands; click on the map or type coordinates in any CRS (they are transformed to the DSM's CRS). It must lie on the DSM.</source>
        <translation>Där personen står; klicka i kartan eller skriv koordinater i valfritt koordinatsystem (de transformeras till ytmodellens). Punkten måste ligga på ytmodellen.</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/fetch_place_data.py"/>
        <source>Where to look for the place name (Overpass)</source>
        <translation>Var platsnamnet söks (Overpass)</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/fetch_place_data.py"/>
        <source>With the Overpass API and a place name: the area to search, e.g. the municipality. Without it the whole world is searched, which is slow.</source>
        <translation>Med Overpass API och ett platsnamn: området att söka i, t.ex. kommunen. Utan det söks hela världen, vilket går långsamt.</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/fetch_place_data.py"/>
        <source>Wrote </source>
        <translation>Skrev </translation>
    </message>
    <message>
        <location filename="../processing/layout/export.py"/>
        <source>a layer could not be drawn</source>
        <translation>ett lager kunde inte ritas</translation>
    </message>
    <message>
        <location filename="../processing/layout/export.py"/>
        <source>it was cancelled</source>
        <translation>den avbröts</translation>
    </message>
    <message>
        <location filename="../processing/algorithms/assess_place.py"/>
        <source>scenario</source>
        <translation>scenario</translation>
    </message>
    <message>
        <location filename="../processing/layout/export.py"/>
        <source>the PDF printer failed</source>
        <translation>PDF-skrivaren misslyckades</translation>
    </message>
    <message>
        <location filename="../processing/layout/export.py"/>
        <source>the file could not be written (is it open in another program, or the folder read-only?)</source>
        <translation>filen kunde inte skrivas (är den öppen i ett annat program, eller är mappen skrivskyddad?)</translation>
    </message>
    <message>
        <location filename="../processing/layout/export.py"/>
        <source>the layout could not be iterated</source>
        <translation>layouten kunde inte gås igenom</translation>
    </message>
    <message>
        <location filename="../processing/layout/export.py"/>
        <source>there was not enough memory</source>
        <translation>minnet räckte inte</translation>
    </message>
    <message>
        <location filename="../processing/layout/texts.py"/>
        <source>{place} · {title} · AMP plugin {version} · {osm} {date}</source>
        <translation>{place} · {title} · AMP-tillägget {version} · {osm} {date}</translation>
    </message>
    <message>
        <location filename="../processing/layout/texts.py"/>
        <source>{place}: frontage, seating and lighting</source>
        <translation>{place}: fasader, sittplatser och belysning</translation>
    </message>
    <message>
        <location filename="../processing/layout/texts.py"/>
        <source>{place}: sightlines and walking access</source>
        <translation>{place}: siktlinjer och gångavstånd</translation>
    </message>
    <message>
        <location filename="../processing/layout/texts.py"/>
        <source>{title} (continued)</source>
        <translation>{title} (forts.)</translation>
    </message>
    <message>
        <location filename="../processing/layout/texts.py"/>
        <source>{what}: none at the place in the data.</source>
        <translation>{what}: inga på platsen i underlaget.</translation>
    </message>
</context>
</TS>
