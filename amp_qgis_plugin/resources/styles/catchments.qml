<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis version="3.22.16-Białowieża" styleCategories="AllStyleCategories" hasScaleBasedVisibilityFlag="0" minScale="100000000" maxScale="0" readOnly="0" labelsEnabled="0">
  <!-- AMP walking catchments (access.py, methodology §6.1, §8.4 A2): 5 and 10 minutes at 1.3 m/s and 0.9 m/s; larger ones drawn first -->
  <renderer-v2 type="categorizedSymbol" attr="key" symbollevels="0" forceraster="0" enableorderby="1">
    <categories>
      <category render="true" symbol="0" value="long" label="10 min at the standard speed"/>
      <category render="true" symbol="1" value="short" label="5 min at the standard speed"/>
      <category render="true" symbol="2" value="long_older" label="10 min at older adults' speed"/>
      <category render="true" symbol="3" value="short_older" label="5 min at older adults' speed"/>
    </categories>
    <symbols>
      <symbol type="fill" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" locked="0" pass="0">
          <Option type="Map">
            <Option type="QString" name="color" value="198,219,239,110"/>
            <Option type="QString" name="style" value="solid"/>
            <Option type="QString" name="outline_color" value="66,146,198,255"/>
            <Option type="QString" name="outline_width" value="0.4"/>
            <Option type="QString" name="outline_width_unit" value="MM"/>
            <Option type="QString" name="outline_style" value="solid"/>
            <Option type="QString" name="joinstyle" value="round"/>
          </Option>
        </layer>
      </symbol>
      <symbol type="fill" name="1" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" locked="0" pass="0">
          <Option type="Map">
            <Option type="QString" name="color" value="107,174,214,140"/>
            <Option type="QString" name="style" value="solid"/>
            <Option type="QString" name="outline_color" value="33,113,181,255"/>
            <Option type="QString" name="outline_width" value="0.4"/>
            <Option type="QString" name="outline_width_unit" value="MM"/>
            <Option type="QString" name="outline_style" value="solid"/>
            <Option type="QString" name="joinstyle" value="round"/>
          </Option>
        </layer>
      </symbol>
      <symbol type="fill" name="2" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" locked="0" pass="0">
          <Option type="Map">
            <Option type="QString" name="color" value="253,208,162,0"/>
            <Option type="QString" name="style" value="solid"/>
            <Option type="QString" name="outline_color" value="230,85,13,255"/>
            <Option type="QString" name="outline_width" value="0.6"/>
            <Option type="QString" name="outline_width_unit" value="MM"/>
            <Option type="QString" name="outline_style" value="dash"/>
            <Option type="QString" name="joinstyle" value="round"/>
          </Option>
        </layer>
      </symbol>
      <symbol type="fill" name="3" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" locked="0" pass="0">
          <Option type="Map">
            <Option type="QString" name="color" value="253,174,107,0"/>
            <Option type="QString" name="style" value="solid"/>
            <Option type="QString" name="outline_color" value="166,54,3,255"/>
            <Option type="QString" name="outline_width" value="0.6"/>
            <Option type="QString" name="outline_width_unit" value="MM"/>
            <Option type="QString" name="outline_style" value="dash"/>
            <Option type="QString" name="joinstyle" value="round"/>
          </Option>
        </layer>
      </symbol>
    </symbols>
    <orderby>
      <orderByClause asc="0" nullsFirst="0">&quot;metres&quot;</orderByClause>
    </orderby>
  </renderer-v2>
  <layerGeometryType>2</layerGeometryType>
</qgis>
